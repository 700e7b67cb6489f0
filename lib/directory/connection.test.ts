// The connection test against a real Samba AD DC: each step's outcome in words.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseInput } from "../errors.ts";
import { createTestDatabase } from "../testing/test-database.ts";
import { sambaInstalled, startSambaDc, type SambaDc } from "../testing/samba-dc.ts";
import { escapeFilterValue, testDirectoryConnection } from "./connection.ts";
import { DirectorySettingsUpdateSchema, updateDirectorySettings, type DirectoryConnection } from "./settings.ts";

let dc: SambaDc;
beforeAll(async () => {
  dc = await startSambaDc((tool) => {
    tool(["user", "create", "svc-vpnsight", "Svc!Passw0rd-1234", "--userou=CN=Users"]);
    for (let i = 1; i <= 3; i++) tool(["user", "create", `user${i}`, "User!Passw0rd-1234"]);
  });
}, 120_000);
afterAll(async () => dc?.stop());

const conn = (overrides: Partial<DirectoryConnection> = {}): DirectoryConnection => ({
  enabled: true,
  urls: [dc.url],
  startTls: false,
  bindUser: "svc-vpnsight@contoso.test",
  bindPassword: "Svc!Passw0rd-1234",
  baseDn: dc.baseDn,
  userFilter: null,
  caCertificate: dc.caPem,
  skipTlsVerify: false,
  syncIntervalMinutes: 15,
  extraSensitiveGroups: [],
  sensitiveAccounts: [],
  ...overrides,
});

describe.runIf(sambaInstalled())("Test connection against Samba AD", () => {
  it("binds, reads the NetBIOS and DNS names and counts the users", async () => {
    const result = await testDirectoryConnection(conn());
    expect(result.steps.at(-1)?.message, JSON.stringify(result.steps)).toBeDefined();
    expect(result.ok, JSON.stringify(result.steps)).toBe(true);
    expect(result.steps.map((s) => s.name)).toEqual(["connect", "bind", "domain", "users"]);
    expect(result.steps[2]!.message).toBe("NetBIOS name CONTOSO, DNS name contoso.test");
    // Every user account samba-tool lists (the built-in ones, the service account and three users).
    const listed = dc.tool(["user", "list"]).trim().split("\n").length;
    expect(listed).toBeGreaterThanOrEqual(7);
    expect(result.steps[3]!.message).toBe(`${listed} users under ${dc.baseDn}`);
  });

  it("says what failed: wrong password, untrusted certificate, unreachable DC, missing base DN", async () => {
    const wrong = await testDirectoryConnection(conn({ bindPassword: "not-the-password" }));
    expect(wrong.ok).toBe(false);
    expect(wrong.steps.at(-1)).toEqual({ name: "bind", ok: false, message: "invalid credentials (AD data 52e)" });
    const untrusted = await testDirectoryConnection(conn({ caCertificate: null }));
    expect(untrusted.steps.at(-1)).toMatchObject({
      name: "connect",
      ok: false,
      message: expect.stringMatching(/^certificate not trusted/),
    });
    const down = await testDirectoryConnection(conn({ urls: ["ldaps://localhost:1"] }));
    expect(down.steps.at(-1)).toEqual({ name: "connect", ok: false, message: "connection refused" });
    const noBase = await testDirectoryConnection(conn({ baseDn: "OU=Nowhere,DC=contoso,DC=test" }));
    expect(noBase.steps.at(-1)).toEqual({ name: "domain", ok: false, message: "base DN not found" });
    // The second URL is tried when the first DC is down.
    expect((await testDirectoryConnection(conn({ urls: ["ldaps://localhost:1", dc.url] }))).ok).toBe(true);
  });

  it("StartTLS on ldap:// works; a plain ldap:// bind is refused, as on a hardened AD", async () => {
    const startTls = await testDirectoryConnection(conn({ urls: ["ldap://localhost:389"], startTls: true }));
    expect(startTls.ok, JSON.stringify(startTls.steps)).toBe(true);
    const plain = await testDirectoryConnection(conn({ urls: ["ldap://localhost:389"], startTls: false }));
    expect(plain.steps.at(-1)).toEqual({
      name: "bind",
      ok: false,
      message: "the directory refuses binds without TLS: use ldaps:// or StartTLS",
    });
  });

  it("npx vpnsight directory test|show: the saved connection, step by step, and never the password", async () => {
    const t = await createTestDatabase();
    try {
      const c = conn();
      await updateDirectorySettings(
        t.db,
        parseInput(DirectorySettingsUpdateSchema, {
          enabled: true,
          urls: c.urls,
          bindUser: c.bindUser,
          bindPassword: c.bindPassword,
          baseDn: c.baseDn,
          caCertificate: c.caCertificate,
        }),
        { label: "test" },
      );
      const cli = (args: string[]) =>
        spawnSync(process.execPath, [path.resolve(import.meta.dirname, "../../bin/vpnsight.mjs"), ...args], {
          env: { ...process.env, DATABASE_URL: t.url },
          encoding: "utf8",
        });
      const tested = cli(["directory", "test"]);
      expect(tested.status, tested.stderr).toBe(0);
      expect(tested.stdout).toContain("ok   domain: NetBIOS name CONTOSO, DNS name contoso.test");
      const shown = cli(["directory", "show"]);
      expect(JSON.parse(shown.stdout)).toMatchObject({ passwordConfigured: true, urls: [dc.url] });
      expect(shown.stdout + tested.stdout + tested.stderr).not.toContain(c.bindPassword!);
    } finally {
      await t.drop();
    }
  }, 60_000);
});

describe("LDAP filter values", () => {
  it("escapes what would end or widen a filter (RFC 4515)", () => {
    expect(escapeFilterValue("CN=Ops (EU)*,DC=x\\y")).toBe("CN=Ops \\28EU\\29\\2a,DC=x\\5cy");
    expect(escapeFilterValue("Domain Admins")).toBe("Domain Admins");
  });
});
