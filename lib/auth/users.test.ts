import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import { authenticateWithPassword, INVALID_CREDENTIALS } from "./authenticate.ts";
import { THROTTLE_POLICY, recordSignInFailure, sourceAccountKey, sourceKey } from "./sign-in-throttle.ts";
import { ensureFirstAdmin } from "./first-admin.ts";
import {
  changeOwnPassword,
  createUser,
  resetPassword,
  updateUser,
  CreateUserSchema,
  UpdateUserSchema,
  ChangePasswordSchema,
} from "./users.ts";
import { signedInSince } from "./principal.ts";
import { parseInput } from "../errors.ts";

let t: TestDatabase;
const actor = { label: "user:test" };
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());
beforeEach(async () => {
  await t.db.user.deleteMany();
  await t.db.signInThrottle.deleteMany();
});

describe("first admin", () => {
  it("creates admin@localhost with a random password once, then never again", async () => {
    const first = await ensureFirstAdmin(t.db, {});
    expect(first).toMatchObject({ email: "admin@localhost", generated: true });
    expect(first!.password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(await ensureFirstAdmin(t.db, {})).toBeNull();
    const user = await t.db.user.findUniqueOrThrow({ where: { email: "admin@localhost" } });
    expect(user.role).toBe("admin");
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user.passwordHash).not.toContain(first!.password);
  });

  it("uses ADMIN_EMAIL and ADMIN_PASSWORD when set", async () => {
    const first = await ensureFirstAdmin(t.db, {
      ADMIN_EMAIL: "Sec@Example.com",
      ADMIN_PASSWORD: "a-long-admin-password",
    });
    expect(first).toMatchObject({ email: "Sec@Example.com", generated: false });
    await expect(
      authenticateWithPassword(t.db, "sec@example.com", "a-long-admin-password", null),
    ).resolves.toMatchObject({ role: "admin" });
  });
});

describe("users", () => {
  it("refuses to demote or disable the last active admin, but allows it once another admin exists", async () => {
    const a = await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "a@example.com", role: "admin", password: "password-for-a-1" }),
      actor,
    );
    await expect(async () =>
      updateUser(t.db, a.id, parseInput(UpdateUserSchema, { role: "analyst" }), actor),
    ).rejects.toThrow(/last active admin/);
    await expect(async () =>
      updateUser(t.db, a.id, parseInput(UpdateUserSchema, { disabled: true }), actor),
    ).rejects.toThrow(/last active admin/);
    const b = await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "b@example.com", role: "viewer", password: "password-for-b-1" }),
      actor,
    );
    await updateUser(t.db, b.id, parseInput(UpdateUserSchema, { role: "admin" }), actor);
    await expect(
      updateUser(t.db, a.id, parseInput(UpdateUserSchema, { role: "analyst" }), actor),
    ).resolves.toMatchObject({ role: "analyst" });
    await expect(async () =>
      updateUser(t.db, b.id, parseInput(UpdateUserSchema, { disabled: true }), actor),
    ).rejects.toThrow(/last active admin/);
  });

  it("two concurrent demotions of the only two admins leave one admin", async () => {
    const a = await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "a@example.com", role: "admin", password: "password-for-a-1" }),
      actor,
    );
    const b = await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "b@example.com", role: "admin", password: "password-for-b-1" }),
      actor,
    );
    const results = await Promise.allSettled([
      updateUser(t.db, a.id, parseInput(UpdateUserSchema, { role: "viewer" }), actor),
      updateUser(t.db, b.id, parseInput(UpdateUserSchema, { role: "viewer" }), actor),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await t.db.user.count({ where: { role: "admin", disabled: false } })).toBe(1);
  });

  it("rejects duplicate emails and short passwords", async () => {
    await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "a@example.com", role: "viewer", password: "password-for-a-1" }),
      actor,
    );
    await expect(async () =>
      createUser(
        t.db,
        parseInput(CreateUserSchema, { email: "A@example.com", role: "viewer", password: "password-for-a-2" }),
        actor,
      ),
    ).rejects.toThrow(/already exists/);
    await expect(async () =>
      createUser(
        t.db,
        parseInput(CreateUserSchema, { email: "c@example.com", role: "viewer", password: "short" }),
        actor,
      ),
    ).rejects.toThrow(/12 characters/);
  });
});

describe("sign-in", () => {
  it("accepts the right password, refuses wrong ones and disabled accounts alike", async () => {
    const admin = await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "admin@example.com", role: "admin", password: "right-password-1" }),
      actor,
    );
    const u = await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "u@example.com", role: "analyst", password: "right-password-1" }),
      actor,
    );
    await expect(
      authenticateWithPassword(t.db, "U@example.com", "right-password-1", "192.0.2.9"),
    ).resolves.toMatchObject({ id: u.id, role: "analyst" });
    await expect(authenticateWithPassword(t.db, "u@example.com", "wrong-password-1", "192.0.2.9")).rejects.toThrow(
      INVALID_CREDENTIALS,
    );
    await expect(authenticateWithPassword(t.db, "nobody@example.com", "right-password-1", "192.0.2.9")).rejects.toThrow(
      INVALID_CREDENTIALS,
    );
    // PostgreSQL cannot look up text with U+0000: refused like a wrong password, not a server error.
    await expect(authenticateWithPassword(t.db, "u@example.com\0", "right-password-1", "192.0.2.9")).rejects.toThrow(
      INVALID_CREDENTIALS,
    );
    await expect(
      authenticateWithPassword(t.db, `${"u".repeat(400)}@example.com`, "right-password-1", "192.0.2.9"),
    ).rejects.toThrow(INVALID_CREDENTIALS);
    expect(await t.db.signInThrottle.count({ where: { key: { startsWith: "email:uuuu" } } })).toBe(0);
    await updateUser(t.db, u.id, parseInput(UpdateUserSchema, { disabled: true }), actor);
    await expect(authenticateWithPassword(t.db, "u@example.com", "right-password-1", "192.0.2.9")).rejects.toThrow(
      INVALID_CREDENTIALS,
    );
    void admin;
  });

  it("throttles the source that fails, not the account: its owner still signs in from elsewhere (no lockout by strangers)", async () => {
    await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "u@example.com", role: "analyst", password: "right-password-1" }),
      actor,
    );
    for (let i = 0; i < THROTTLE_POLICY.maxFailuresPerSourceAndAccount; i++) {
      await expect(
        authenticateWithPassword(t.db, "u@example.com", `wrong-${i}-password`, "192.0.2.66"),
      ).rejects.toThrow(INVALID_CREDENTIALS);
    }
    // The failing source waits, even with the right password…
    await expect(authenticateWithPassword(t.db, "u@example.com", "right-password-1", "192.0.2.66")).rejects.toThrow(
      /Too many failed sign-in attempts from this address\. Try again in 1 minute\./,
    );
    // …the owner, elsewhere, signs in.
    await expect(
      authenticateWithPassword(t.db, "u@example.com", "right-password-1", "198.51.100.1"),
    ).resolves.toMatchObject({ email: "u@example.com" });
    // Logged and audited, without the password.
    const audit = await t.db.auditEntry.findFirstOrThrow({ where: { action: "auth.throttled" } });
    expect(audit).toMatchObject({ target: "user:u@example.com", sourceIp: "192.0.2.66" });
    expect(audit.changes).toMatchObject({ source: "192.0.2.66", key: "pair", failures: 5, delayMinutes: 1 });
  });

  it("doubles the delay with each further failure, up to 15 minutes, and purges expired rows", async () => {
    await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "u@example.com", role: "analyst", password: "right-password-1" }),
      actor,
    );
    const t0 = new Date("2026-11-29T10:00:00Z");
    const fail = (at: Date) =>
      recordSignInFailure(
        t.db,
        { email: "u@example.com", ip: "192.0.2.7" },
        [{ key: sourceAccountKey("192.0.2.7", "u@example.com"), limit: 5 }],
        at,
      );
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      const at = new Date(t0.getTime() + i * 1000);
      await fail(at);
      const row = await t.db.signInThrottle.findUniqueOrThrow({
        where: { key: sourceAccountKey("192.0.2.7", "u@example.com") },
      });
      delays.push(row.lockedUntil ? Math.round((row.lockedUntil.getTime() - at.getTime()) / 60_000) : 0);
    }
    expect(delays).toEqual([0, 0, 0, 0, 1, 2, 4, 8, 15]);
    // Long after the window and the delay: the row is gone at the next failure anywhere.
    await recordSignInFailure(
      t.db,
      { email: "x@example.com", ip: "192.0.2.8" },
      [{ key: sourceKey("192.0.2.8"), limit: 20 }],
      new Date(t0.getTime() + 3_600_000),
    );
    expect(
      await t.db.signInThrottle.findUnique({ where: { key: sourceAccountKey("192.0.2.7", "u@example.com") } }),
    ).toBeNull();
  });

  it("throttles a client IP that tries many accounts", async () => {
    for (let i = 0; i < THROTTLE_POLICY.maxFailuresPerSource; i++) {
      await authenticateWithPassword(t.db, `user${i}@example.com`, "wrong-password-x", "203.0.113.5").catch(() => {});
    }
    await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "fresh@example.com", role: "viewer", password: "right-password-1" }),
      actor,
    );
    await expect(
      authenticateWithPassword(t.db, "fresh@example.com", "right-password-1", "203.0.113.5"),
    ).rejects.toThrow(/Too many failed/);
    await expect(
      authenticateWithPassword(t.db, "fresh@example.com", "right-password-1", "203.0.113.6"),
    ).resolves.toBeTruthy();
  });

  it("a password reset takes effect at once", async () => {
    await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "u@example.com", role: "viewer", password: "old-password-123" }),
      actor,
    );
    const signedIn = Date.now() - 1;
    await resetPassword(t.db, "u@example.com", "new-password-456", { label: "cli" });
    await expect(authenticateWithPassword(t.db, "u@example.com", "old-password-123", null)).rejects.toThrow(
      INVALID_CREDENTIALS,
    );
    await expect(authenticateWithPassword(t.db, "u@example.com", "new-password-456", null)).resolves.toBeTruthy();
    // …and ends the sessions signed in before it.
    const user = await t.db.user.findUniqueOrThrow({ where: { email: "u@example.com" } });
    expect(signedInSince(signedIn, user.passwordChangedAt)).toBe(false);
    expect(signedInSince(Date.now(), user.passwordChangedAt)).toBe(true);
  });
});

describe("an admin setting a user's password", () => {
  it("replaces it, ends the user's older sessions and audits it without the password", async () => {
    const user = await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "u@example.com", role: "viewer", password: "first-password-1" }),
      actor,
    );
    const signedIn = Date.now() - 1;
    await expect(async () =>
      updateUser(t.db, user.id, parseInput(UpdateUserSchema, { password: "short" }), actor),
    ).rejects.toThrow("A password needs at least 12 characters.");
    await updateUser(t.db, user.id, parseInput(UpdateUserSchema, { password: "admin-set-password-2" }), actor);
    await expect(authenticateWithPassword(t.db, "u@example.com", "first-password-1", null)).rejects.toThrow(
      INVALID_CREDENTIALS,
    );
    await expect(authenticateWithPassword(t.db, "u@example.com", "admin-set-password-2", null)).resolves.toBeTruthy();
    expect(
      signedInSince(signedIn, (await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordChangedAt),
    ).toBe(false);
    const audit = await t.db.auditEntry.findFirstOrThrow({
      where: { action: "user.update", target: "user:u@example.com" },
      orderBy: { id: "desc" },
    });
    expect(audit.changes).toEqual({ password: "changed" });
  });
});

describe("changing one's own password", () => {
  it("needs the current password (wrong guesses count towards the throttle), then ends older sessions and is audited", async () => {
    const user = await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "me@example.com", role: "analyst", password: "first-password-1" }),
      actor,
    );
    const me = { label: "user:me@example.com" };
    await expect(async () =>
      changeOwnPassword(
        t.db,
        user.id,
        parseInput(ChangePasswordSchema, { currentPassword: "wrong-password-1", newPassword: "second-password-2" }),
        me,
      ),
    ).rejects.toThrow("The current password is not correct.");
    expect(
      (await t.db.signInThrottle.findUniqueOrThrow({ where: { key: sourceAccountKey(null, "me@example.com") } }))
        .failures,
    ).toBe(1);
    await expect(async () =>
      changeOwnPassword(
        t.db,
        user.id,
        parseInput(ChangePasswordSchema, { currentPassword: "first-password-1", newPassword: "short" }),
        me,
      ),
    ).rejects.toThrow("A password needs at least 12 characters.");
    await expect(async () =>
      changeOwnPassword(
        t.db,
        user.id,
        parseInput(ChangePasswordSchema, { currentPassword: "first-password-1", newPassword: "first-password-1" }),
        me,
      ),
    ).rejects.toThrow("The new password must differ from the current one.");
    expect((await t.db.user.findUniqueOrThrow({ where: { id: user.id } })).passwordChangedAt).toBeNull();

    const signedIn = Date.now() - 1;
    await changeOwnPassword(
      t.db,
      user.id,
      parseInput(ChangePasswordSchema, { currentPassword: "first-password-1", newPassword: "second-password-2" }),
      me,
    );
    await expect(authenticateWithPassword(t.db, "me@example.com", "first-password-1", null)).rejects.toThrow(
      INVALID_CREDENTIALS,
    );
    await expect(authenticateWithPassword(t.db, "me@example.com", "second-password-2", null)).resolves.toBeTruthy();
    const after = await t.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(signedInSince(signedIn, after.passwordChangedAt)).toBe(false);
    const audit = await t.db.auditEntry.findMany({ where: { action: "user.change-password" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: "user:me@example.com",
      target: "user:me@example.com",
      changes: { password: "changed" },
    });
    expect(JSON.stringify(audit.map((a) => [a.target, a.changes]))).not.toContain("second-password-2");
  });

  it("is refused once its source is throttled, even with the right current password", async () => {
    const user = await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "me@example.com", role: "viewer", password: "first-password-1" }),
      actor,
    );
    for (let i = 0; i < THROTTLE_POLICY.maxFailuresPerSourceAndAccount; i++) {
      await changeOwnPassword(
        t.db,
        user.id,
        parseInput(ChangePasswordSchema, { currentPassword: `guess-${i}-password`, newPassword: "second-password-2" }),
        actor,
      ).catch(() => {});
    }
    await expect(async () =>
      changeOwnPassword(
        t.db,
        user.id,
        parseInput(ChangePasswordSchema, { currentPassword: "first-password-1", newPassword: "second-password-2" }),
        actor,
      ),
    ).rejects.toThrow(/Too many failed/);
  });
});
