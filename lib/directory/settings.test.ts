import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseInput } from "../errors.ts";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import {
  DirectorySettingsUpdateSchema,
  directoryConnection,
  getDirectorySettings,
  updateDirectorySettings,
} from "./settings.ts";

let t: TestDatabase;
const admin = { label: "user:admin@contoso.com" };
const PASSWORD = "Bind!Passw0rd-secret-1";
const valid = {
  enabled: true,
  urls: ["ldaps://dc1.contoso.test"],
  bindUser: "svc-vpnsight@contoso.test",
  bindPassword: PASSWORD,
  baseDn: "DC=contoso,DC=test",
};
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

const save = (input: unknown) => updateDirectorySettings(t.db, parseInput(DirectorySettingsUpdateSchema, input), admin);

describe("directory settings", () => {
  it("seals the bind password: never in a view, a column or the audit log; left out, the stored one is kept", async () => {
    const view = await save(valid);
    expect(view).toMatchObject({ enabled: true, passwordConfigured: true, syncIntervalMinutes: 15, lastSync: null });
    expect(JSON.stringify(view)).not.toContain(PASSWORD);
    const rows = await t.query<Record<string, unknown>>(`SELECT * FROM "DirectorySettings"`);
    expect(JSON.stringify(rows)).not.toContain(PASSWORD);
    const audit = await t.query<{ changes: unknown }>(
      `SELECT changes FROM "AuditEntry" WHERE action = 'directory.update'`,
    );
    expect(JSON.stringify(audit)).not.toContain(PASSWORD);
    expect(audit[0]!.changes).toMatchObject({ bindPassword: "set", urls: { from: null, to: valid.urls } });
    const { bindPassword: _, ...withoutPassword } = valid;
    await save({ ...withoutPassword, syncIntervalMinutes: 30 });
    expect((await directoryConnection(t.db)).bindPassword).toBe(PASSWORD);
    expect(await getDirectorySettings(t.db)).toMatchObject({ syncIntervalMinutes: 30, passwordConfigured: true });
  });

  it("refuses bad input with a clear message and keeps what was saved", async () => {
    const before = await getDirectorySettings(t.db);
    await expect(async () => save({ ...valid, urls: ["https://dc1"] })).rejects.toThrow(/ldaps:\/\/host/);
    await expect(async () => save({ ...valid, baseDn: "" })).rejects.toThrow(
      "To enable the directory, enter a base DN.",
    );
    await expect(async () => save({ ...valid, startTls: true })).rejects.toThrow(/StartTLS is for ldap:\/\//);
    await expect(async () => save({ ...valid, caCertificate: "not a certificate" })).rejects.toThrow(
      /PEM|certificate/i,
    );
    await expect(async () => save({ ...valid, syncIntervalMinutes: 1 })).rejects.toThrow();
    expect(await getDirectorySettings(t.db)).toEqual(before);
  });

  it("audits turning certificate verification off", async () => {
    await save({ ...valid, skipTlsVerify: true });
    const [last] = await t.query<{ changes: Record<string, unknown> }>(
      `SELECT changes FROM "AuditEntry" WHERE action = 'directory.update' ORDER BY id DESC LIMIT 1`,
    );
    expect(last!.changes.skipTlsVerify).toEqual({ from: false, to: true });
  });
});
