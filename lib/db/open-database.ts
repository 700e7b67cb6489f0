import type { Env } from "../config/env.ts";
import { dataDirOf } from "../config/env.ts";
import { startEmbeddedPostgres, type RunningDatabase } from "./embedded-postgres.ts";

/** DATABASE_URL when set; otherwise the embedded server in $VPNSIGHT_DATA_DIR/postgres. */
export async function openDatabase(env: Env, log?: (line: string) => void): Promise<RunningDatabase> {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, owned: false, stop: async () => {} };
  return startEmbeddedPostgres({ dataDir: dataDirOf(env), port: env.VPNSIGHT_PG_PORT, log });
}
