import pg from "pg";
import { primaryUrl } from "../db/failover.ts";
import { dataDirOf, readEnv } from "../config/env.ts";
import { assertKeyCheck, keyCheckValue, loadSecretKey } from "./secret-box.ts";

const KEY_CHECK = "secret_key_check";

let cachedKey: Buffer | undefined;

/** The installation's secret key, loaded once per process. */
export function installationKey(): Buffer {
  if (!cachedKey) {
    const env = readEnv();
    cachedKey = loadSecretKey(dataDirOf(env), env.VPNSIGHT_SECRET_KEY);
  }
  return cachedKey;
}

/**
 * Proves at start that the configured key is the one that sealed this database's secrets (a clear error instead of
 * garbage later). The first start stores the check; a role that may only read it (the sensor's) leaves that to the
 * portal.
 */
export async function verifyInstallationKey(databaseUrl: string, key: Buffer): Promise<void> {
  const client = new pg.Client({ connectionString: await primaryUrl(databaseUrl) });
  await client.connect();
  try {
    const read = async () =>
      (await client.query<{ value: string }>(`SELECT value FROM "AppMeta" WHERE key = $1`, [KEY_CHECK])).rows[0];
    const stored = await read();
    if (stored) return assertKeyCheck(key, stored.value);
    try {
      await client.query(`INSERT INTO "AppMeta" (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [
        KEY_CHECK,
        keyCheckValue(key),
      ]);
    } catch (err) {
      if ((err as { code?: string }).code === "42501") return; // not ours to store
      throw err;
    }
    assertKeyCheck(key, (await read())!.value);
  } finally {
    await client.end();
  }
}
