import type { Db } from "../db/prisma.ts";
import { AppError } from "../errors.ts";
import { containsNul } from "../api/nul.ts";
import { dummyPasswordHash, verifyPassword } from "./password.ts";
import type { Role } from "./roles.ts";
import {
  THROTTLE_POLICY,
  assertNotThrottled,
  clearSignInFailures,
  recordSignInFailure,
  sourceAccountKey,
  sourceKey,
} from "./sign-in-throttle.ts";

export const INVALID_CREDENTIALS = "Incorrect email or password.";
/** The longest address an account may have (RFC 5321's path limit). */
export const MAX_EMAIL_LENGTH = 254;

/**
 * Checks email + password, throttled per (client address, account) and per client address (sign-in-throttle.ts). Disabled
 * accounts fail like wrong passwords, so the response does not reveal them.
 * Also the check of a signed-in user's current password before they change it.
 */
export async function verifyCredentials(
  db: Db,
  email: string,
  password: string,
  clientIp: string | null,
): Promise<{ id: string; email: string; name: string | null; role: Role }> {
  const address = email.trim().toLowerCase();
  // No account's address is that long or contains U+0000 (which PostgreSQL could not even look up): refused
  // before any work, so such attempts cost nothing and leave no throttle row of arbitrary size behind.
  if (address.length > MAX_EMAIL_LENGTH || containsNul(address))
    throw new AppError("unauthorized", INVALID_CREDENTIALS, 401);
  const pair = sourceAccountKey(clientIp, address);
  await assertNotThrottled(db, [pair, sourceKey(clientIp)]);
  const user = await db.user.findUnique({ where: { email: address } });
  const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), password);
  if (!user || !ok || user.disabled) {
    await recordSignInFailure(db, { email: address, ip: clientIp }, [
      { key: pair, limit: THROTTLE_POLICY.maxFailuresPerSourceAndAccount },
      { key: sourceKey(clientIp), limit: THROTTLE_POLICY.maxFailuresPerSource },
    ]);
    throw new AppError("unauthorized", INVALID_CREDENTIALS, 401);
  }
  await clearSignInFailures(db, pair);
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

/** A sign-in: the credentials check, then the last sign-in time. */
export async function authenticateWithPassword(
  db: Db,
  email: string,
  password: string,
  clientIp: string | null,
): Promise<{ id: string; email: string; name: string | null; role: Role }> {
  const user = await verifyCredentials(db, email, password, clientIp);
  await db.user.update({ where: { id: user.id }, data: { lastLoginAt: new Date() } });
  return user;
}
