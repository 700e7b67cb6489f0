import type { Db } from "../db/prisma.ts";
import { AppError } from "../errors.ts";

// Failures within WINDOW lock the key for LOCK; per-IP is looser (shared NAT, several users).
export const THROTTLE_POLICY = {
  windowMinutes: 15,
  lockMinutes: 15,
  maxFailuresPerAccount: 5,
  maxFailuresPerIp: 20,
};

export const accountKey = (email: string) => `email:${email.trim().toLowerCase()}`;
export const ipKey = (ip: string) => `ip:${ip}`;

export class SignInThrottledError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    super(
      "throttled",
      `Too many failed sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
      429,
    );
  }
}

/** Throws SignInThrottledError while any of the keys is locked. */
export async function assertNotThrottled(db: Db, keys: string[], now = new Date()): Promise<void> {
  const locked = await db.signInThrottle.findMany({ where: { key: { in: keys }, lockedUntil: { gt: now } } });
  const until = Math.max(0, ...locked.map((r) => r.lockedUntil!.getTime()));
  if (until > 0) throw new SignInThrottledError(Math.ceil((until - now.getTime()) / 1000));
}

/** Counts a failed sign-in against each key (atomically) and locks keys over their limit. */
export async function recordSignInFailure(db: Db, keys: { key: string; limit: number }[], now = new Date()): Promise<void> {
  const windowStart = new Date(now.getTime() - THROTTLE_POLICY.windowMinutes * 60_000);
  const lockedUntil = new Date(now.getTime() + THROTTLE_POLICY.lockMinutes * 60_000);
  for (const { key, limit } of keys) {
    await db.$executeRaw`
      INSERT INTO "SignInThrottle" (key, failures, "windowStart") VALUES (${key}, 1, ${now})
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN "SignInThrottle"."windowStart" < ${windowStart} THEN 1 ELSE "SignInThrottle".failures + 1 END,
        "windowStart" = CASE WHEN "SignInThrottle"."windowStart" < ${windowStart} THEN ${now} ELSE "SignInThrottle"."windowStart" END`;
    await db.$executeRaw`
      UPDATE "SignInThrottle" SET "lockedUntil" = ${lockedUntil}, failures = 0, "windowStart" = ${now}
      WHERE key = ${key} AND failures >= ${limit}`;
  }
}

export async function clearSignInFailures(db: Db, key: string): Promise<void> {
  await db.signInThrottle.deleteMany({ where: { key } });
}
