// A PostgreSQL primary with standbys, as a site runs it: DATABASE_URL may list several hosts in libpq's form
// (postgresql://u:p@h1:5432,h2:5432/db?target_session_attrs=read-write). node-postgres connects to one host only, so
// the writable one is found here by asking each `SELECT pg_is_in_recovery()`, and pools follow it when it changes (a
// standby promoted by pg_ctl promote, Patroni, pg_auto_failover, …: failover itself is the cluster's, not ours).
import pg from "pg";

/** How often a pool on a host list checks which host is the primary. */
export const PRIMARY_CHECK_MS = 2_000;
const PROBE_TIMEOUT_MS = 2_000;

/** One URL per host of libpq's multi-host form, in order (a single-host URL is returned as it is). */
export function hostUrls(url: string): string[] {
  const m = /^(postgres(?:ql)?:\/\/)([^@/?#]*@)?([^/?#]*)(.*)$/s.exec(url);
  if (!m) return [url];
  const hosts = m[3]!.split(",").filter(Boolean);
  if (hosts.length < 2) return [url];
  // target_session_attrs is libpq's; each single-host URL goes to node-postgres, which does not know it.
  const rest = m[4]!.replace(/([?&])target_session_attrs=[^&]*&?/, "$1").replace(/[?&]$/, "");
  return hosts.map((h) => `${m[1]}${m[2] ?? ""}${h}${rest}`);
}

/** host:port of a URL, for logs (never the password). */
export function hostOf(url: string): string {
  const m = /^postgres(?:ql)?:\/\/(?:[^@/?#]*@)?([^/?#]*)/.exec(url);
  return m?.[1] ?? "?";
}

async function isPrimary(url: string): Promise<boolean> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: PROBE_TIMEOUT_MS,
    query_timeout: PROBE_TIMEOUT_MS,
  });
  client.on("error", () => {}); // a host that dies meanwhile is simply not the primary
  try {
    await client.connect();
    const { rows } = await client.query<{ standby: boolean }>("SELECT pg_is_in_recovery() AS standby");
    return rows[0]?.standby === false;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The first host of the list (in its order) that accepts writes now; null when none does. Asked in parallel. */
export async function findPrimary(urls: string[]): Promise<string | null> {
  const answers = await Promise.all(urls.map(isPrimary));
  const i = answers.indexOf(true);
  return i === -1 ? null : urls[i]!;
}

/**
 * The URL one connection should use: the primary's of a host list (the first host when none answers: its error then
 * says why), the URL itself otherwise. For single connections: migrations, LISTEN, a CLI command.
 */
export async function primaryUrl(url: string): Promise<string> {
  const urls = hostUrls(url);
  if (urls.length === 1) return url;
  return (await findPrimary(urls)) ?? urls[0]!;
}

/**
 * A pg.Pool on the primary. With a host list, new connections go to whichever host accepts writes: checked every
 * PRIMARY_CHECK_MS (and at once when an idle connection breaks), and none before the first check has answered;
 * connections live at most a minute so none stays on a host that became a standby. One host: a plain pool.
 */
export function primaryPool(
  url: string,
  config: pg.PoolConfig = {},
  log: (msg: string, extra?: object) => void = () => {},
): pg.Pool {
  const urls = hostUrls(url);
  if (urls.length === 1) return new pg.Pool({ ...config, connectionString: url });
  const pool = new pg.Pool({ ...config, connectionString: urls[0], maxLifetimeSeconds: 60 });
  // pg-pool hands its options to each new client, which parses connectionString then: changing it moves new
  // connections to the new primary.
  const options = (pool as unknown as { options: pg.PoolConfig }).options;
  let checking: Promise<void> | null = null;
  const check = () =>
    (checking ??= findPrimary(urls)
      .then((found) => {
        if (found && found !== options.connectionString) {
          log("database primary changed", { from: hostOf(options.connectionString!), to: hostOf(found) });
          options.connectionString = found;
        }
      })
      .finally(() => {
        checking = null;
      }));
  // Until the first check answers, the list's first host may be a standby: no connection is made before it does.
  const ready = check();
  const connect = pool.connect.bind(pool);
  // pg-pool's query() goes through this.connect with a callback; callers use the promise form.
  pool.connect = ((cb?: Parameters<typeof connect>[0]) => {
    if (cb) return void ready.then(() => connect(cb));
    return ready.then(() => connect());
  }) as pg.Pool["connect"];
  const timer = setInterval(() => void check(), PRIMARY_CHECK_MS);
  timer.unref();
  pool.on("error", () => void check());
  const end = pool.end.bind(pool);
  pool.end = (() => {
    clearInterval(timer);
    return end();
  }) as pg.Pool["end"];
  return pool;
}
