// Runs FreeRADIUS (Debian freeradius + freeradius-postgresql) next to our sensor, with
// the stock rlm_sql radacct schema and queries, configured in a temp dir on loopback.
import fs from "node:fs";
import path from "node:path";
import {
  FREERADIUS_BIN,
  STOCK_RADDB,
  startPeer,
  stockRaddbForAccounting,
  writeAccountingSite,
  type Peer,
} from "../lib/testing/radius-peers";

export { FREERADIUS_BIN };
export const RADACCT_SCHEMA = `${STOCK_RADDB}/mods-config/sql/main/postgresql/schema.sql`;

export function freeradiusInstalled(): boolean {
  return (
    fs.existsSync(FREERADIUS_BIN) &&
    fs.existsSync(RADACCT_SCHEMA) &&
    fs.existsSync("/usr/lib/freeradius/rlm_sql_postgresql.so")
  );
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
  const raddb = stockRaddbForAccounting(t.dir);
  writeAccountingSite(raddb, {
    name: "bench",
    port: t.port,
    clientSecret: t.secret,
    preacct: ["preprocess", "acct_unique"],
    accounting: t.mode === "sql" ? "sql" : "ok",
  });
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

export async function startFreeradius(t: FreeradiusTarget): Promise<Peer> {
  return startPeer(
    FREERADIUS_BIN,
    ["-f", "-l", "stdout", "-d", writeFreeradiusConfig(t)],
    /Ready to process requests/,
    "FreeRADIUS",
  );
}
