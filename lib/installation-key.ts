import type { Db } from "./db/prisma.ts";
import { assertKeyCheck, keyCheckValue } from "./secret-box.ts";

const KEY_CHECK = "secret_key_check";

/**
 * Proves at start that the configured key is the one that sealed this
 * database's secrets (a clear error instead of garbage later). First start stores the check.
 */
export async function verifyInstallationKey(db: Db, key: Buffer): Promise<void> {
  const stored = await db.appMeta.findUnique({ where: { key: KEY_CHECK } });
  if (stored) return assertKeyCheck(key, stored.value);
  await db.appMeta.upsert({
    where: { key: KEY_CHECK },
    create: { key: KEY_CHECK, value: keyCheckValue(key) },
    update: {},
  });
  const winner = await db.appMeta.findUniqueOrThrow({ where: { key: KEY_CHECK } });
  assertKeyCheck(key, winner.value);
}
