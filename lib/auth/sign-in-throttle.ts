import { recordAudit } from "../audit/record.ts";
import type { Db } from "../db/prisma.ts";
import { AppError } from "../errors.ts";
import { log } from "../log.ts";

/**
 * Failed sign-ins are counted per (client address, account) and per client address — never per account alone, so a
 * stranger's wrong guesses cannot lock the account's owner out (the default admin@localhost included): a correct
 * password from an address that has not failed still signs in. Past the limit within WINDOW, the source waits a
 * delay that doubles with each further failure (1, 2, 4, 8, then 15 minutes).
 */
export const THROTTLE_POLICY = {
  windowMinutes: 15,
  firstDelayMinutes: 1,
  maxDelayMinutes: 15,
  maxFailuresPerSourceAndAccount: 5,
  /** Looser: a shared NAT may hold several users. */
  maxFailuresPerSource: 20,
};

/** A source without a known address (a request that did not come through the portal's server) is one source. */
const sourceOf = (ip: string | null) => ip ?? "unknown";
export const sourceAccountKey = (ip: string | null, email: string) =>
  `pair:${sourceOf(ip)}|${email.trim().toLowerCase()}`;
export const sourceKey = (ip: string | null) => `ip:${sourceOf(ip)}`;

export class SignInThrottledError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    super(
      "throttled",
      `Too many failed sign-in attempts from this address. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
      429,
    );
  }
}

/** Throws SignInThrottledError while any of the keys waits out its delay. */
export async function assertNotThrottled(db: Db, keys: string[], now = new Date()): Promise<void> {
  const locked = await db.signInThrottle.findMany({ where: { key: { in: keys }, lockedUntil: { gt: now } } });
  const until = Math.max(0, ...locked.map((r) => r.lockedUntil!.getTime()));
  if (until > 0) throw new SignInThrottledError(Math.ceil((until - now.getTime()) / 1000));
}

/**
 * Counts a failed sign-in against each key (atomically); a key at or past its limit waits a growing delay. Each
 * new delay is logged and audited. Rows whose window and delay are over are purged.
 */
export async function recordSignInFailure(
  db: Db,
  attempt: { email: string; ip: string | null },
  keys: { key: string; limit: number }[],
  now = new Date(),
): Promise<void> {
  const windowStart = new Date(now.getTime() - THROTTLE_POLICY.windowMinutes * 60_000);
  await db.$executeRaw`DELETE FROM "SignInThrottle" WHERE "windowStart" < ${windowStart} AND ("lockedUntil" IS NULL OR "lockedUntil" < ${now})`;
  for (const { key, limit } of keys) {
    const [row] = await db.$queryRaw<{ failures: number }[]>`
      INSERT INTO "SignInThrottle" (key, failures, "windowStart") VALUES (${key}, 1, ${now})
      ON CONFLICT (key) DO UPDATE SET
        failures = CASE WHEN "SignInThrottle"."windowStart" < ${windowStart} THEN 1 ELSE "SignInThrottle".failures + 1 END,
        "windowStart" = CASE WHEN "SignInThrottle"."windowStart" < ${windowStart} THEN ${now} ELSE "SignInThrottle"."windowStart" END
      RETURNING failures`;
    const failures = row!.failures;
    if (failures < limit) continue;
    const delayMinutes = Math.min(
      THROTTLE_POLICY.maxDelayMinutes,
      THROTTLE_POLICY.firstDelayMinutes * 2 ** (failures - limit),
    );
    const lockedUntil = new Date(now.getTime() + delayMinutes * 60_000);
    await db.signInThrottle.update({ where: { key }, data: { lockedUntil } });
    const what = {
      source: sourceOf(attempt.ip),
      account: attempt.email,
      key: key.split(":")[0],
      failures,
      delayMinutes,
    };
    log.warn(what, "sign-in throttled");
    await recordAudit(
      db,
      { label: "system", sourceIp: attempt.ip },
      { action: "auth.throttled", target: `user:${attempt.email}`, changes: what },
    );
  }
}

export async function clearSignInFailures(db: Db, key: string): Promise<void> {
  await db.signInThrottle.deleteMany({ where: { key } });
}
