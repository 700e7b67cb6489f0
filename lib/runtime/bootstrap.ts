// The one start-up of every entry point (npm start, the CLI, the sensor, the demo seed): env → database → migrations
// → installation key. Each entry point then does only its own work.
import type { Env } from "../config/env.ts";
import { migrateDatabase } from "../db/migrator.ts";
import { openDatabase } from "../db/open-database.ts";
import type { RunningDatabase } from "../db/embedded-postgres.ts";
import { isDatabaseUnavailable } from "../db/unavailable.ts";
import { verifyInstallationKey } from "../secrets/installation-key.ts";

export interface Bootstrapped extends RunningDatabase {
  /** The tables' owner (MIGRATION_DATABASE_URL, else the database's own URL): migrations and grants. */
  ownerUrl: string;
}

/**
 * Opens the database (the embedded server in $VPNSIGHT_DATA_DIR, started or attached to, or `url`), applies pending
 * migrations as the tables' owner and checks the installation key against it. A server it started is stopped again
 * when any step fails.
 */
export async function bootstrapDatabase(opts: {
  env: Env;
  /** The role this process works as: DATABASE_URL by default; the sensor's SENSOR_DATABASE_URL. */
  url?: string;
  /** "always" (npm start, the CLI, the seed), or only on the embedded server this process started (the sensor). */
  migrate: "always" | "if-owned";
  key: Buffer;
  /** The sensor starts during a database outage (it spools): the key is then checked by the portal alone. */
  mayStartWithoutDatabase?: boolean;
  log?: (line: string) => void;
}): Promise<Bootstrapped> {
  const url = opts.url ?? opts.env.DATABASE_URL;
  const database = await openDatabase({ ...opts.env, DATABASE_URL: url }, opts.log);
  const ownerUrl = database.owned ? database.url : (opts.env.MIGRATION_DATABASE_URL ?? database.url);
  try {
    if (opts.migrate === "always" || database.owned) await migrateDatabase(ownerUrl, { log: opts.log });
    await verifyInstallationKey(database.url, opts.key).catch((err: unknown) => {
      if (!(opts.mayStartWithoutDatabase && isDatabaseUnavailable(err))) throw err;
      opts.log?.("The database is unreachable: starting without checking the installation key");
    });
  } catch (err) {
    await database.stop();
    throw err;
  }
  return { ...database, ownerUrl };
}
