import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createToken, listTokens, lowerRole, resolveToken, CreateTokenSchema } from "./api-tokens.ts";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import { createUser, updateUser, CreateUserSchema, UpdateUserSchema } from "./users.ts";
import { parseInput } from "../errors.ts";

let t: TestDatabase;
const actor = { label: "cli" };
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());
beforeEach(async () => {
  await t.db.apiToken.deleteMany();
  await t.db.user.deleteMany();
});

describe("API tokens belong to a user", () => {
  it("refuses to make a token without an admin to own it, then defaults to the first admin, expiring in 90 days", async () => {
    await expect(async () =>
      createToken(t.db, parseInput(CreateTokenSchema, { name: "siem", role: "viewer" }), actor),
    ).rejects.toThrow(/No active admin to own the token/);
    await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "first@example.com", role: "admin", password: "first-admin-pass-1" }),
      actor,
    );
    await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "second@example.com", role: "admin", password: "second-admin-pass-1" }),
      actor,
    );
    const { view } = await createToken(t.db, parseInput(CreateTokenSchema, { name: "siem", role: "viewer" }), actor);
    expect(view.owner).toBe("first@example.com");
    expect(Math.round((view.expiresAt!.getTime() - Date.now()) / 86_400_000)).toBe(90);
    const forever = await createToken(
      t.db,
      parseInput(CreateTokenSchema, { name: "forever", role: "viewer", expiresInDays: null }),
      actor,
      {
        email: "Second@example.com",
      },
    );
    expect(forever.view).toMatchObject({ owner: "second@example.com", expiresAt: null });
    await expect(async () =>
      createToken(t.db, parseInput(CreateTokenSchema, { name: "x", role: "viewer" }), actor, {
        email: "nobody@example.com",
      }),
    ).rejects.toThrow("No user nobody@example.com to own the token.");
    await expect(async () =>
      createToken(t.db, parseInput(CreateTokenSchema, { name: "x", role: "viewer", expiresInDays: 0 }), actor),
    ).rejects.toThrow(/expiresInDays/);
    expect((await listTokens(t.db)).map((x) => x.name).sort()).toEqual(["forever", "siem"]);
  });

  it("acts with the lower of its role and its owner's, stops with a disabled owner, and after its expiry", async () => {
    const owner = await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "owner@example.com", role: "admin", password: "owner-password-123" }),
      actor,
    );
    await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "other@example.com", role: "admin", password: "other-password-123" }),
      actor,
    );
    const { token } = await createToken(
      t.db,
      parseInput(CreateTokenSchema, { name: "ops", role: "admin", expiresInDays: 30 }),
      actor,
      {
        id: owner.id,
      },
    );
    expect(await resolveToken(t.db, token)).toMatchObject({ role: "admin", ownerId: owner.id });
    await updateUser(t.db, owner.id, parseInput(UpdateUserSchema, { role: "analyst" }), actor);
    expect(await resolveToken(t.db, token)).toMatchObject({ role: "analyst" });
    await updateUser(t.db, owner.id, parseInput(UpdateUserSchema, { disabled: true }), actor);
    expect(await resolveToken(t.db, token)).toBeNull();
    await updateUser(t.db, owner.id, parseInput(UpdateUserSchema, { disabled: false }), actor);
    expect(await resolveToken(t.db, token, new Date(Date.now() + 31 * 86_400_000))).toBeNull();
    expect(await resolveToken(t.db, token)).not.toBeNull();
  });

  it("orders roles admin > analyst > viewer", () => {
    expect(lowerRole("admin", "viewer")).toBe("viewer");
    expect(lowerRole("analyst", "admin")).toBe("analyst");
    expect(lowerRole("viewer", "viewer")).toBe("viewer");
  });
});
