import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import { createUser, CreateUserSchema } from "./users.ts";
import { endAllSessions, endSession, sessionIsLive, startSession } from "./sessions.ts";
import { parseInput } from "../errors.ts";

let t: TestDatabase;
let userId: string;
beforeAll(async () => {
  t = await createTestDatabase();
  userId = (
    await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "s@example.com", role: "viewer", password: "session-password-1" }),
      { label: "cli" },
    )
  ).id;
});
afterAll(async () => t.drop());

const HOUR = 3_600_000;

describe("portal sessions", () => {
  it("live until SESSION_MAX_HOURS after sign-in, however active (default 12 h)", async () => {
    const sid = await startSession(t.db, userId, "192.0.2.1");
    const start = Date.now();
    for (let h = 0.5; h < 12; h += 0.5)
      expect(await sessionIsLive(t.db, sid, userId, new Date(start + h * HOUR))).toBe(true);
    expect(await sessionIsLive(t.db, sid, userId, new Date(start + 12.1 * HOUR))).toBe(false);
  });

  it("end after SESSION_IDLE_MINUTES without a request (default 60), and on sign-out", async () => {
    const idle = await startSession(t.db, userId, null);
    expect(await sessionIsLive(t.db, idle, userId, new Date(Date.now() + 61 * 60_000))).toBe(false);
    const signedOut = await startSession(t.db, userId, null);
    expect(await sessionIsLive(t.db, signedOut, userId)).toBe(true);
    await endSession(t.db, signedOut);
    expect(await sessionIsLive(t.db, signedOut, userId)).toBe(false);
  });

  it("belong to their user, and 'Sign out everywhere' ends them all, audited", async () => {
    const other = (
      await createUser(
        t.db,
        parseInput(CreateUserSchema, { email: "o@example.com", role: "viewer", password: "other-password-12" }),
        { label: "cli" },
      )
    ).id;
    const mine = [await startSession(t.db, userId, null), await startSession(t.db, userId, null)];
    const theirs = await startSession(t.db, other, null);
    expect(await sessionIsLive(t.db, theirs, userId)).toBe(false); // not this user's
    expect(await sessionIsLive(t.db, undefined, userId)).toBe(false); // a cookie from before server-side sessions
    expect(await endAllSessions(t.db, userId, { label: "user:s@example.com" })).toBeGreaterThanOrEqual(2);
    for (const sid of mine) expect(await sessionIsLive(t.db, sid, userId)).toBe(false);
    expect(await sessionIsLive(t.db, theirs, other)).toBe(true);
    const audit = await t.db.auditEntry.findFirstOrThrow({ where: { action: "user.sign-out-everywhere" } });
    expect(audit).toMatchObject({ target: "user:s@example.com" });
  });
});
