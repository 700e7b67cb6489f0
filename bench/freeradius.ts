// Runs FreeRADIUS (Debian freeradius + freeradius-postgresql) next to our sensor, with
// the stock rlm_sql radacct schema and queries, configured in a temp dir on loopback.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const FREERADIUS_BIN = "/usr/sbin/freeradius";
const STOCK = "/etc/freeradius/3.0";
export const RADACCT_SCHEMA = `${STOCK}/mods-config/sql/main/postgresql/schema.sql`;

export function freeradiusInstalled(): boolean {
  return fs.existsSync(FREERADIUS_BIN) && fs.existsSync(RADACCT_SCHEMA) && fs.existsSync("/usr/lib/freeradius/rlm_sql_postgresql.so");
}

export interface FreeradiusTarget {
  dir: string;
  port: number;
  secret: string;
  /** "sql": stock rlm_sql on PostgreSQL; "null": accounting answered without storing (protocol ceiling). */
  mode: "sql" | "null";
  db?: { host: string; port: number; user: string; password: string; database: string };
}

/** Copies the stock configuration and replaces the site, the clients and the sql connection. */
export function writeFreeradiusConfig(t: FreeradiusTarget): string {
  const raddb = path.join(t.dir, "raddb");
  fs.mkdirSync(t.dir, { recursive: true });
  fs.rmSync(raddb, { recursive: true, force: true });
  spawnSync("cp", ["-a", STOCK, raddb]);
  fs.chmodSync(t.dir, 0o755);
  for (const f of fs.readdirSync(path.join(raddb, "sites-enabled"))) fs.rmSync(path.join(raddb, "sites-enabled", f));
  // Accounting only: keep the modules it needs (authentication modules want Auth-Type sections).
  const keep = new Set(["always", "expr", "preprocess", "utf8", "unpack", "attr_filter"]);
  for (const f of fs.readdirSync(path.join(raddb, "mods-enabled"))) if (!keep.has(f)) fs.rmSync(path.join(raddb, "mods-enabled", f));
  fs.writeFileSync(
    path.join(raddb, "sites-enabled", "bench"),
    `server bench {
\tlisten {
\t\ttype = acct
\t\tipaddr = 127.0.0.1
\t\tport = ${t.port}
\t}
\tpreacct {
\t\tpreprocess
\t\tacct_unique
\t}
\taccounting {
\t\t${t.mode === "sql" ? "sql" : "ok"}
\t}
}
`,
  );
  fs.writeFileSync(path.join(raddb, "clients.conf"), `client bench {\n\tipaddr = 127.0.0.1\n\tsecret = ${t.secret}\n}\n`);
  if (t.mode === "sql" && t.db) {
    const sqlConf = fs
      .readFileSync(path.join(raddb, "mods-available", "sql"), "utf8")
      .replace(/dialect = "sqlite"/, 'dialect = "postgresql"')
      .replace(/driver = "rlm_sql_null"/, 'driver = "rlm_sql_${dialect}"')
      .replace(/#\s*server = "localhost"/, `server = "${t.db.host}"`)
      .replace(/#\s*port = 3306/, `port = ${t.db.port}`)
      .replace(/#\s*login = "radius"/, `login = "${t.db.user}"`)
      .replace(/#\s*password = "radpass"/, `password = "${t.db.password}"`)
      .replace(/radius_db = "radius"/, `radius_db = "${t.db.database}"`);
    fs.writeFileSync(path.join(raddb, "mods-enabled", "sql"), sqlConf);
  }
  return raddb;
}

export async function startFreeradius(t: FreeradiusTarget): Promise<{ child: ChildProcess; logs: () => string; stop: () => Promise<void> }> {
  const raddb = writeFreeradiusConfig(t);
  let output = "";
  const child = spawn(FREERADIUS_BIN, ["-f", "-l", "stdout", "-d", raddb], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const deadline = Date.now() + 20_000;
  while (!/Ready to process requests/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`FreeRADIUS did not start:\n${output.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    logs: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
