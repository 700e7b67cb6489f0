// The sync against a real Samba AD DC: attributes, state, nested privileged groups, paging over 2,500 more users,
// history that moves to the account's identity, incremental syncs (renames, deletions, group changes), and a DC that
// stops in the middle of a sync or is gone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseInput } from "../errors.ts";
import { writeAccountingRecords } from "../sessions/store.ts";
import {
  SAMBA_ADMIN_PASSWORD,
  STAFF_PASSWORD,
  contosoStaff,
  bulkUsersLdif,
  directorySettingsFor,
  sambaInstalled,
  startSambaDc,
  type SambaDc,
} from "../testing/samba-dc.ts";
import { sessionEvent } from "../testing/session-event.ts";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import { DirectorySettingsUpdateSchema, getDirectorySettings, updateDirectorySettings } from "./settings.ts";
import { syncDirectory } from "./sync.ts";
import { accountState } from "./account-context.ts";

let dc: SambaDc;
let t: TestDatabase;
const PASSWORD = STAFF_PASSWORD;
const BULK = 2500;

beforeAll(async () => {
  if (!sambaInstalled()) return;
  dc = await startSambaDc((tool, ldif) => {
    contosoStaff(tool);
    tool(["user", "create", "dave", PASSWORD]);
    tool(["user", "create", "erin", PASSWORD]);
    tool(["group", "add", "VPN Contractors"]);
    tool(["group", "addmembers", "VPN Contractors", "erin"]);
    tool(["user", "create", "frank", PASSWORD]);
    tool(["user", "create", "gina", PASSWORD]);
    tool(["user", "setexpiry", "gina", "--days=0"]); // expires now
    tool(["user", "create", "hank", PASSWORD]);
    ldif(
      "dn: CN=Alice Smith,CN=Users,DC=contoso,DC=test\nchangetype: modify\nadd: proxyAddresses\n" +
        "proxyAddresses: SMTP:alice.smith@contoso.test\nproxyAddresses: smtp:a.smith@contoso.test\n\n" +
        // A UPN suffix an admin added to the forest: alice@corp.contoso.com is one of her names too.
        "dn: CN=Partitions,CN=Configuration,DC=contoso,DC=test\nchangetype: modify\nadd: uPNSuffixes\n" +
        "uPNSuffixes: corp.contoso.com\n\n" +
        // hank is locked out (lockoutTime: 2026-11-29T00:00:00Z as a FILETIME).
        "dn: CN=hank,CN=Users,DC=contoso,DC=test\nchangetype: modify\nreplace: lockoutTime\nlockoutTime: 134403840000000000\n\n" +
        bulkUsersLdif(BULK, "bulk"),
    );
  });
  t = await createTestDatabase();
  await updateDirectorySettings(
    t.db,
    parseInput(DirectorySettingsUpdateSchema, {
      ...directorySettingsFor(dc, "svc-vpnsight", PASSWORD),
      extraSensitiveGroups: ["VPN Contractors"],
      sensitiveAccounts: ["CONTOSO\\frank"],
    }),
    { label: "test" },
  );
  // VPN history from before the directory: alice under five of her names, dave under his UPN.
  const names = [
    "CONTOSO\\alice",
    "alice",
    "Alice.Smith@contoso.test",
    "a.smith@contoso.test",
    "alice@corp.contoso.com",
    "dave@contoso.test",
  ];
  await writeAccountingRecords(
    t.pool,
    names.map((name, i) => sessionEvent({ sessionKey: `S${i}`, identity: name.toLowerCase(), userName: name })),
    "test",
  );
  await t.query(
    `INSERT INTO "Alert" ("dedupeKey", rule, severity, identity, "occurredAt", evidence, "updatedAt")
     VALUES ('a|1', 'impossible-travel', 'medium', 'contoso\\alice', now(), '{}', now())`,
  );
}, 240_000);
afterAll(async () => {
  await dc?.stop();
  await t?.drop();
});

const account = async (sam: string) => (await t.db.directoryAccount.findFirst({ where: { samAccountName: sam } }))!;
const sessionsBy = async () =>
  Object.fromEntries(
    (
      await t.query<{ identity: string; n: number }>(
        `SELECT identity, count(*)::int AS n FROM "VpnSession" GROUP BY 1 ORDER BY 1`,
      )
    ).map((r) => [r.identity, r.n]),
  );

describe.runIf(sambaInstalled())("directory sync against Samba AD", () => {
  it("reads every account across AD's 1,000-entry pages, with names, context, state and privileged groups", async () => {
    const listed = dc.tool(["user", "list"]).trim().split("\n").length;
    expect(listed).toBeGreaterThan(BULK);
    const first = await syncDirectory(t.db);
    expect(first).toMatchObject({ added: listed, changed: 0, removed: 0, full: true, error: null });
    expect(await t.db.directoryAccount.count()).toBe(listed);
    expect(await account("alice")).toMatchObject({
      userPrincipalName: "alice@contoso.test",
      netbiosDomain: "CONTOSO",
      mail: "alice.smith@contoso.test",
      proxyAddresses: ["alice.smith@contoso.test", "a.smith@contoso.test"],
      displayName: "Alice Smith",
      department: "Finance",
      title: "Controller",
      sensitiveGroups: [],
      goneAt: null,
    });
    expect((await account("alice")).objectGuid).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    // Samba's default maximum password age: 42 days.
    const { pwdLastSet, passwordExpiresAt } = await account("alice");
    expect(passwordExpiresAt!.getTime() - pwdLastSet!.getTime()).toBe(42 * 86_400_000);
    expect(await account("bulk02499")).toMatchObject({ userPrincipalName: "bulk02499@contoso.test" });
    // A disabled, an expired and a locked account, by the product's one rule.
    expect(accountState(await account("bob"))).toBe("disabled");
    expect(accountState(await account("gina"))).toBe("expired");
    expect(accountState(await account("hank"))).toBe("locked");
    expect(accountState(await account("alice"))).toBe("enabled");
    expect((await account("carol")).sensitiveGroups).toContain("Domain Admins"); // through VPN Admins
    expect((await account("Administrator")).sensitiveGroups).toContain("Administrators");
    expect((await account("erin")).sensitiveGroups).toEqual(["VPN Contractors"]); // the admin's own group
    expect((await account("frank")).markedSensitive).toBe(true); // named by the admin as CONTOSO\frank
    expect(await getDirectorySettings(t.db)).toMatchObject({ lastSync: first });
  });

  it("moved the history of every name the directory resolves to the account's identity, alerts included", async () => {
    expect((await getDirectorySettings(t.db)).lastSync?.moved).toBe(5);
    expect(await sessionsBy()).toEqual({ "alice@contoso.test": 5, "dave@contoso.test": 1 });
    expect(await t.query(`SELECT identity FROM "Alert"`)).toEqual([{ identity: "alice@contoso.test" }]);
    expect(await t.query(`SELECT DISTINCT identity FROM "Identity" ORDER BY 1`)).toEqual([
      { identity: "alice@contoso.test" },
      { identity: "dave@contoso.test" },
    ]);
  });

  it("then reads only changes: a renamed UPN keeps its history on one identity", async () => {
    expect(await syncDirectory(t.db)).toMatchObject({ added: 0, changed: 0, removed: 0, full: false, moved: 0 });
    const alice = await account("alice");
    dc.tool(["user", "rename", "alice", "--upn=alice.new@contoso.test"]);
    dc.tool(["user", "delete", "dave"]);
    // The service account may not read Deleted Objects: dave stays until the next full sweep.
    expect(await syncDirectory(t.db)).toMatchObject({ changed: 1, removed: 0, moved: 1, full: false, error: null });
    expect(await t.db.directoryAccount.findUnique({ where: { objectGuid: alice.objectGuid } })).toMatchObject({
      userPrincipalName: "alice.new@contoso.test",
    });
    expect(await sessionsBy()).toEqual({ "alice.new@contoso.test": 5, "dave@contoso.test": 1 });
    expect(await t.query(`SELECT identity FROM "Alert"`)).toEqual([{ identity: "alice.new@contoso.test" }]);
  });

  it("sees a new privileged membership though the member itself did not change", async () => {
    expect((await account("bob")).sensitiveGroups).toEqual([]);
    dc.tool(["group", "addmembers", "Domain Admins", "bob"]);
    expect(await syncDirectory(t.db)).toMatchObject({ changed: 1, full: false, error: null });
    expect((await account("bob")).sensitiveGroups).toContain("Domain Admins");
  });

  it("a full sweep (Sync now) marks a deleted account gone and keeps its sessions", async () => {
    expect(await syncDirectory(t.db, { mode: "full" })).toMatchObject({
      added: 0,
      changed: 0,
      removed: 1,
      full: true,
    });
    expect((await account("dave")).goneAt).not.toBeNull();
    expect(await sessionsBy()).toMatchObject({ "dave@contoso.test": 1 });
  });

  it("sees a deletion at once when the bind account may read Deleted Objects", async () => {
    await updateDirectorySettings(
      t.db,
      parseInput(DirectorySettingsUpdateSchema, directorySettingsFor(dc, "Administrator", SAMBA_ADMIN_PASSWORD)),
      { label: "test" },
    );
    dc.tool(["user", "delete", "bulk00001"]);
    expect(await syncDirectory(t.db)).toMatchObject({ added: 0, changed: 0, removed: 1, full: false });
    expect((await account("bulk00001")).goneAt).not.toBeNull();
  });

  it("with the DC stopped in the middle of a sync, records the error in words and applies nothing", async () => {
    const before = await t.query(`SELECT md5(string_agg(t::text, '' ORDER BY "objectGuid")) FROM "DirectoryAccount" t`);
    dc.tool(["user", "create", "late", PASSWORD]); // a change that must not be half-applied
    const sync = syncDirectory(t.db, { mode: "full", pageSize: 5 }); // ~500 pages
    await new Promise((r) => setTimeout(r, 400));
    await dc.stop();
    const failed = await sync;
    expect(failed).toMatchObject({ added: 0, changed: 0, removed: 0, moved: 0 });
    expect(failed.error).toMatch(/^(connection (lost|reset|refused)|no answer)/);
    expect(
      await t.query(`SELECT md5(string_agg(t::text, '' ORDER BY "objectGuid")) FROM "DirectoryAccount" t`),
    ).toEqual(before);
    expect((await getDirectorySettings(t.db)).lastSync?.error).toBe(failed.error);
  });

  it("with the DC gone, says so and keeps the accounts it had", async () => {
    const failed = await syncDirectory(t.db);
    expect(failed).toMatchObject({ added: 0, changed: 0, removed: 0, error: "connection refused" });
    expect(await t.db.directoryAccount.count({ where: { goneAt: null } })).toBeGreaterThan(BULK);
  });
});
