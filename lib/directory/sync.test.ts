// The sync against a real Samba AD DC: attributes, state, nested privileged groups, paging, renames, deletions, and
// a DC that is gone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseInput } from "../errors.ts";
import { directorySettingsFor, sambaInstalled, startSambaDc, type SambaDc } from "../testing/samba-dc.ts";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import { DirectorySettingsUpdateSchema, getDirectorySettings, updateDirectorySettings } from "./settings.ts";
import { syncDirectory } from "./sync.ts";

let dc: SambaDc;
let t: TestDatabase;
const PASSWORD = "User!Passw0rd-1234";

beforeAll(async () => {
  if (!sambaInstalled()) return;
  dc = await startSambaDc((tool) => {
    tool(["user", "create", "svc-vpnsight", PASSWORD]);
    tool([
      "user",
      "create",
      "alice",
      PASSWORD,
      "--given-name=Alice",
      "--surname=Smith",
      "--mail-address=alice.smith@contoso.test",
      "--department=Finance",
      "--job-title=Controller",
    ]);
    tool(["user", "create", "bob", PASSWORD]);
    tool(["user", "disable", "bob"]);
    tool(["user", "create", "carol", PASSWORD]);
    tool(["group", "add", "VPN Admins"]);
    tool(["group", "addmembers", "VPN Admins", "carol"]);
    tool(["group", "addmembers", "Domain Admins", "VPN Admins"]);
    tool(["user", "create", "dave", PASSWORD]);
  });
  t = await createTestDatabase();
  await updateDirectorySettings(
    t.db,
    parseInput(DirectorySettingsUpdateSchema, directorySettingsFor(dc, "svc-vpnsight", PASSWORD)),
    { label: "test" },
  );
}, 180_000);
afterAll(async () => {
  await dc?.stop();
  await t?.drop();
});

const account = async (sam: string) => (await t.db.directoryAccount.findFirst({ where: { samAccountName: sam } }))!;

describe.runIf(sambaInstalled())("directory sync against Samba AD", () => {
  it("reads every account across pages, with names, context, state and nested privileged groups", async () => {
    const listed = dc.tool(["user", "list"]).trim().split("\n").length;
    const first = await syncDirectory(t.db, { pageSize: 2 }); // many pages of 2
    expect(first).toMatchObject({ added: listed, changed: 0, removed: 0, error: null });
    expect(await t.db.directoryAccount.count()).toBe(listed);
    expect(await account("alice")).toMatchObject({
      userPrincipalName: "alice@contoso.test",
      netbiosDomain: "CONTOSO",
      mail: "alice.smith@contoso.test",
      displayName: "Alice Smith",
      givenName: "Alice",
      surname: "Smith",
      department: "Finance",
      title: "Controller",
      sensitiveGroups: [],
      goneAt: null,
    });
    expect((await account("alice")).objectGuid).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect((await account("bob")).userAccountControl & 2).toBe(2); // ACCOUNTDISABLE
    expect((await account("carol")).sensitiveGroups).toContain("Domain Admins"); // through VPN Admins
    expect((await account("Administrator")).sensitiveGroups).toContain("Administrators");
    expect(await getDirectorySettings(t.db)).toMatchObject({ lastSync: first });
  });

  it("changes nothing when nothing changed; a rename keeps the account, a deletion marks it gone", async () => {
    expect(await syncDirectory(t.db)).toMatchObject({ added: 0, changed: 0, removed: 0 });
    const alice = await account("alice");
    dc.tool(["user", "rename", "alice", "--upn=alice.new@contoso.test"]);
    dc.tool(["user", "delete", "dave"]);
    expect(await syncDirectory(t.db)).toMatchObject({ added: 0, changed: 1, removed: 1, error: null });
    expect(await t.db.directoryAccount.findUnique({ where: { objectGuid: alice.objectGuid } })).toMatchObject({
      userPrincipalName: "alice.new@contoso.test",
    });
    expect((await account("dave")).goneAt).not.toBeNull();
  });

  it("with the DC gone, records the error in words and keeps the accounts it had", async () => {
    const before = await t.db.directoryAccount.count();
    await dc.stop();
    const failed = await syncDirectory(t.db);
    expect(failed).toMatchObject({ added: 0, changed: 0, removed: 0, error: "connection refused" });
    expect(await t.db.directoryAccount.count()).toBe(before);
    expect(await t.db.directoryAccount.count({ where: { goneAt: null } })).toBe(before - 1);
    expect((await getDirectorySettings(t.db)).lastSync?.error).toBe("connection refused");
  });
});
