import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import { sessionEvent } from "../testing/session-event.ts";
import { writeAccountingRecords } from "../sessions/store.ts";
import { IdentityListQuerySchema, getIdentityProfile, listIdentities } from "../identities/views.ts";
import { parseInput } from "../errors.ts";
import { accountState, accountStateAt, sensitiveReason } from "./account-context.ts";

const facts = {
  userAccountControl: 512,
  accountExpires: null,
  lockoutTime: null,
  adminCount: 0,
  sensitiveGroups: [],
  markedSensitive: false,
  disabledSeenAt: null,
};

describe("account state and sensitivity", () => {
  it("names the state: disabled over expired over locked, expired once accountExpires has passed", () => {
    const at = new Date("2026-11-29T12:00:00Z");
    expect(accountState(facts, at)).toBe("enabled");
    expect(accountState({ ...facts, userAccountControl: 514, lockoutTime: at }, at)).toBe("disabled");
    expect(accountState({ ...facts, accountExpires: new Date("2026-11-01T00:00:00Z"), lockoutTime: at }, at)).toBe(
      "expired",
    );
    expect(accountState({ ...facts, accountExpires: new Date("2027-01-01T00:00:00Z") }, at)).toBe("enabled");
    expect(accountState({ ...facts, lockoutTime: at }, at)).toBe("locked");
    // At an earlier time: disabled only from when a sync saw it, locked only from lockoutTime.
    const seen = new Date("2026-11-29T11:00:00Z");
    const disabled = { ...facts, userAccountControl: 514, disabledSeenAt: seen };
    expect(accountStateAt(disabled, at)).toEqual({ state: "disabled", since: seen });
    expect(accountStateAt(disabled, new Date("2026-11-29T10:00:00Z")).state).toBe("enabled");
    expect(accountStateAt({ ...facts, lockoutTime: at }, seen).state).toBe("enabled");
  });

  it("says why an account is sensitive", () => {
    expect(sensitiveReason(facts)).toBeNull();
    expect(sensitiveReason({ ...facts, sensitiveGroups: ["Administrators", "Domain Admins"] })).toBe(
      "member of Administrators, Domain Admins",
    );
    expect(sensitiveReason({ ...facts, adminCount: 1 })).toMatch(/adminCount/);
    expect(sensitiveReason({ ...facts, adminCount: 1, markedSensitive: true })).toBe("marked sensitive by an admin");
  });
});

describe("the profile carries the account's context", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await writeAccountingRecords(
      t.pool,
      [
        sessionEvent({ sessionKey: "P1", identity: "carol@contoso.test" }),
        sessionEvent({ sessionKey: "P2", identity: "zed@contoso.test" }),
        sessionEvent({ sessionKey: "P3", identity: "mia@contoso.test" }),
      ],
      "test",
    );
    await t.db.directoryAccount.create({
      data: {
        objectGuid: "6b83aada-b038-b946-a1ed-aaa2890157a6",
        dn: "CN=Carol,CN=Users,DC=contoso,DC=test",
        userPrincipalName: "carol@contoso.test",
        samAccountName: "carol",
        displayName: "Carol Jones",
        title: "Engineer",
        department: "IT",
        userAccountControl: 514,
        sensitiveGroups: ["Domain Admins"],
        netbiosDomain: "CONTOSO",
        mail: "carol.jones@contoso.test",
        proxyAddresses: ["carol.jones@contoso.test", "cj@contoso.test"],
        managerDn: "CN=Mia,CN=Users,DC=contoso,DC=test",
        pwdLastSet: new Date("2026-01-01T00:00:00Z"),
        passwordExpiresAt: new Date("2026-03-01T00:00:00Z"),
        syncedAt: new Date(),
      },
    });
    await t.db.directoryAccount.create({
      data: {
        objectGuid: "7b83aada-b038-b946-a1ed-aaa2890157a6",
        dn: "CN=Mia,CN=Users,DC=contoso,DC=test",
        userPrincipalName: "mia@contoso.test",
        samAccountName: "mia",
        displayName: "Mia Wong",
        department: "IT",
        syncedAt: new Date(),
      },
    });
  });
  afterAll(async () => t.drop());

  it("the identities list carries the same context and filters by it", async () => {
    const list = async (account?: string) =>
      (await listIdentities(t.db, parseInput(IdentityListQuerySchema, { account, sort: "identity", dir: "asc" })))
        .items;
    expect((await list()).map((i) => [i.identity, i.displayName, i.department, i.accountState, i.sensitive])).toEqual([
      ["carol@contoso.test", "Carol Jones", "IT", "disabled", true],
      ["mia@contoso.test", "Mia Wong", "IT", "enabled", false],
      ["zed@contoso.test", null, null, null, false],
    ]);
    expect((await list("sensitive")).map((i) => i.identity)).toEqual(["carol@contoso.test"]);
    expect((await list("disabled-or-expired")).map((i) => i.identity)).toEqual(["carol@contoso.test"]);
    expect((await list("not-in-directory")).map((i) => i.identity)).toEqual(["zed@contoso.test"]);
    await expect(async () => parseInput(IdentityListQuerySchema, { account: "admins" })).rejects.toThrow(
      /account is one of sensitive/,
    );
  });

  it("display name, title, department, state, names, manager and the sensitive reason; or not in directory", async () => {
    expect(await getIdentityProfile(t.db, "carol@contoso.test")).toMatchObject({
      inDirectory: true,
      displayName: "Carol Jones",
      title: "Engineer",
      department: "IT",
      accountState: "disabled",
      sensitive: true,
      sensitiveReason: "member of Domain Admins",
      account: {
        userPrincipalName: "carol@contoso.test",
        samAccountName: "CONTOSO\\carol",
        alternateUpns: ["carol.jones@contoso.test", "cj@contoso.test"],
        manager: { displayName: "Mia Wong", identity: "mia@contoso.test" },
        pwdLastSet: "2026-01-01T00:00:00.000Z",
        passwordExpired: true,
        goneAt: null,
      },
    });
    expect(await getIdentityProfile(t.db, "zed@contoso.test")).toMatchObject({
      inDirectory: false,
      sensitive: false,
      account: null,
    });
    // An account that left the directory no longer speaks for the identity; the profile says when it left.
    const gone = new Date();
    await t.db.directoryAccount.updateMany({ data: { goneAt: gone } });
    expect(await getIdentityProfile(t.db, "carol@contoso.test")).toMatchObject({
      inDirectory: false,
      sensitive: false,
      account: { goneAt: gone.toISOString() },
    });
  });
});
