// A real streaming-replication pair from Debian's postgresql-15 for the failover drill: a primary, a standby made by
// pg_basebackup -R, killed and promoted with pg_ctl as an operator (or Patroni) would. PostgreSQL refuses to run as
// root, so as root every command runs as the postgres user.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const BIN = process.env.PG15_BIN ?? "/usr/lib/postgresql/15/bin";
export const pg15Available = () => fs.existsSync(path.join(BIN, "pg_ctl"));

const asRoot = os.userInfo().uid === 0;
function run(command: string, args: string[]): string {
  const [file, argv] = asRoot
    ? ["runuser", ["-u", "postgres", "--", path.join(BIN, command), ...args]]
    : [path.join(BIN, command), args];
  return execFileSync(file, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export interface PgNode {
  dir: string;
  port: number;
  url: (database: string) => string;
}

function node(dir: string, port: number): PgNode {
  return { dir, port, url: (database) => `postgresql://postgres@127.0.0.1:${port}/${database}` };
}

function prepare(dir: string) {
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o700);
  if (asRoot) execFileSync("chown", ["postgres:postgres", dir]);
}

const start = (n: PgNode) =>
  run("pg_ctl", [
    "-D",
    n.dir,
    "-l",
    `${n.dir}.log`,
    "-w",
    "-t",
    "30",
    "-o",
    `-p ${n.port} -k ${path.dirname(n.dir)}`,
    "start",
  ]);

/** initdb (trust on loopback, replication allowed) and start. */
export function startPrimary(base: string, port: number): PgNode {
  fs.mkdirSync(base, { recursive: true });
  if (asRoot) execFileSync("chown", ["postgres:postgres", base]);
  const n = node(path.join(base, "primary"), port);
  prepare(n.dir);
  run("initdb", ["-D", n.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-instructions"]);
  fs.appendFileSync(
    path.join(n.dir, "postgresql.conf"),
    "listen_addresses = '127.0.0.1'\nwal_level = replica\nmax_wal_senders = 5\nfsync = off\n",
  );
  start(n);
  return n;
}

/** pg_basebackup -R from the primary (streaming, a standby.signal), then start. */
export function startStandby(base: string, primary: PgNode, port: number): PgNode {
  const n = node(path.join(base, "standby"), port);
  prepare(n.dir);
  run("pg_basebackup", [
    "-h",
    "127.0.0.1",
    "-p",
    String(primary.port),
    "-U",
    "postgres",
    "-D",
    n.dir,
    "-R",
    "-X",
    "stream",
    // An immediate checkpoint: the default spreads it over minutes once the primary has data.
    "--checkpoint=fast",
  ]);
  start(n);
  return n;
}

/** The server dies as in a crash: no shutdown checkpoint, connections cut. */
export const killNode = (n: PgNode) => run("pg_ctl", ["-D", n.dir, "-m", "immediate", "stop"]);
export const promote = (n: PgNode) => run("pg_ctl", ["-D", n.dir, "-w", "promote"]);
export const stopNode = (n: PgNode) => {
  try {
    run("pg_ctl", ["-D", n.dir, "-m", "fast", "stop"]);
  } catch {
    // already stopped
  }
};
