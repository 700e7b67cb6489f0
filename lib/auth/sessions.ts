import { recordAudit, type Actor } from "../audit/record.ts";
import { readEnv } from "../config/env.ts";
import type { Db } from "../db/prisma.ts";

/** How often a session's last activity is written (a request per page would otherwise be a write per page). */
const TOUCH_EVERY_MS = 60_000;

/** A new session row at sign-in; its id goes into the session cookie. */
export async function startSession(db: Db, userId: string, sourceIp: string | null): Promise<string> {
  return (await db.userSession.create({ data: { userId, sourceIp }, select: { id: true } })).id;
}

/**
 * The one rule for a session cookie: its row exists, belongs to the user, was not ended (sign-out), is younger than
 * SESSION_MAX_HOURS, and saw a request within SESSION_IDLE_MINUTES. A valid one has its last activity moved on.
 */
export async function sessionIsLive(
  db: Db,
  sessionId: string | undefined,
  userId: string,
  now = new Date(),
): Promise<boolean> {
  if (!sessionId || !/^[0-9a-f-]{36}$/i.test(sessionId)) return false;
  const row = await db.userSession.findUnique({ where: { id: sessionId } });
  if (!row || row.userId !== userId || row.endedAt) return false;
  const env = readEnv();
  if (now.getTime() - row.createdAt.getTime() > env.SESSION_MAX_HOURS * 3_600_000) return false;
  if (now.getTime() - row.lastSeenAt.getTime() > env.SESSION_IDLE_MINUTES * 60_000) return false;
  if (now.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS)
    await db.userSession.update({ where: { id: row.id }, data: { lastSeenAt: now } });
  return true;
}

/** Sign-out: the cookie stops working on the server too (a copy of it is useless). */
export async function endSession(db: Db, sessionId: string | undefined): Promise<void> {
  if (!sessionId || !/^[0-9a-f-]{36}$/i.test(sessionId)) return;
  await db.userSession.updateMany({ where: { id: sessionId, endedAt: null }, data: { endedAt: new Date() } });
}

/** "Sign out everywhere": every session of the user ends, audited. Returns how many were live. */
export async function endAllSessions(db: Db, userId: string, actor: Actor): Promise<number> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.userSession.updateMany({
      where: { userId, endedAt: null },
      data: { endedAt: new Date() },
    });
    const user = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { email: true } });
    await recordAudit(tx, actor, {
      action: "user.sign-out-everywhere",
      target: `user:${user.email}`,
      changes: { sessionsEnded: count },
    });
    return count;
  });
}
