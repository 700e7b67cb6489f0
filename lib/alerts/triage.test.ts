// listAlerts against a real database, on alerts the detector raised from real history.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { writeAccountingRecords } from "../sessions/store.ts";
import {
  AlertBulkUpdateSchema,
  AlertQuerySchema,
  AlertUpdateSchema,
  countAlerts,
  getAlert,
  listAlerts,
  updateAlert,
  updateAlerts,
} from "./triage.ts";
import { ExclusionCreateSchema, createExclusion, deleteExclusion, listExclusions } from "./exclusions.ts";
import { createUser, CreateUserSchema } from "../auth/users.ts";
import { runPendingDetections } from "./session-judging.ts";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import { history as historyOf } from "../testing/vpn-history.ts";
import { parseInput } from "../errors.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});
beforeEach(async () => {
  await t.query(
    `TRUNCATE "VpnSession", "VpnSessionEvent", "Identity", "Alert", "DetectionExclusion", "AuditEntry", "IdentityAlias" CASCADE`,
  );
});

const NOW = Date.now();
const history = (identity: string) => historyOf(identity, NOW);

describe("listAlerts", () => {
  it("pages newest first with nextCursor: every alert once, filters kept, null after the last page", async () => {
    await writeAccountingRecords(t.pool, [...history("carol@contoso.com"), ...history("dave@contoso.com")], "test");
    await runPendingDetections(t.pool);
    const all = (await listAlerts(t.db, parseInput(AlertQuerySchema, { limit: 500 }))).items.map((a) => a.id);
    // Two per identity: the Netherlands, and Tokyo's incident (three rules on one session).
    expect(all).toHaveLength(4);
    const paged: string[] = [];
    let cursor: string | undefined;
    for (let pages = 1; ; pages++) {
      const page = await listAlerts(t.db, parseInput(AlertQuerySchema, { limit: 3, cursor }));
      paged.push(...page.items.map((a) => a.id));
      if (!page.nextCursor) {
        expect(pages).toBe(2);
        break;
      }
      cursor = page.nextCursor;
    }
    expect(paged).toEqual(all);

    const first = await listAlerts(t.db, parseInput(AlertQuerySchema, { identity: "carol@contoso.com", limit: 1 }));
    const second = await listAlerts(
      t.db,
      parseInput(AlertQuerySchema, { identity: "carol@contoso.com", limit: 1, cursor: first.nextCursor! }),
    );
    expect([...first.items, ...second.items].map((a) => a.identity)).toEqual(Array(2).fill("carol@contoso.com"));
    expect(second.nextCursor).toBeNull();
  });

  it("refuses a cursor it did not make, with a clear message", async () => {
    await expect(listAlerts(t.db, parseInput(AlertQuerySchema, { cursor: "not-a-cursor" }))).rejects.toThrow(
      "cursor is not valid: use nextCursor from the previous page.",
    );
  });

  it("filters by sensitive account, and a sensitive account's alerts are one severity higher, saying why", async () => {
    await t.query(
      `INSERT INTO "DirectoryAccount" ("objectGuid", dn, "userPrincipalName", "samAccountName", "sensitiveGroups", "syncedAt")
       VALUES ('g-carol', 'CN=carol', 'carol@contoso.com', 'carol', '{Domain Admins}', now())
       ON CONFLICT DO NOTHING`,
    );
    await writeAccountingRecords(t.pool, [...history("carol@contoso.com"), ...history("dave@contoso.com")], "test");
    await runPendingDetections(t.pool);
    const list = async (sensitive?: string) =>
      (await listAlerts(t.db, parseInput(AlertQuerySchema, { limit: 500, sensitive }))).items;
    const carol = await list("true");
    const dave = await list("false");
    expect(new Set(carol.map((a) => a.identity))).toEqual(new Set(["carol@contoso.com"]));
    expect(new Set(dave.map((a) => a.identity))).toEqual(new Set(["dave@contoso.com"]));
    expect(carol.length + dave.length).toBe((await list()).length);
    // The same findings for both; carol's one step higher.
    const bump: Record<string, string> = { medium: "high", high: "critical" };
    const key = (a: { rule: string }) => a.rule;
    expect(carol.map((a) => `${key(a)}:${a.severity}`).sort()).toEqual(
      dave.map((a) => `${key(a)}:${bump[a.severity]}`).sort(),
    );
    expect((carol[0]!.evidence as { severityRaised: string }).severityRaised).toMatch(
      /→ .*: sensitive account \(member of Domain Admins\)/,
    );
    expect((dave[0]!.evidence as { severityRaised: string | null }).severityRaised).toBeNull();
    await expect(async () => parseInput(AlertQuerySchema, { sensitive: "maybe" })).rejects.toThrow(
      /sensitive is true or false/,
    );
  });

  it("finds identities as the identities search does: a substring, an alias, and says so for none", async () => {
    await writeAccountingRecords(t.pool, [...history("carol@contoso.com"), ...history("carola@contoso.com")], "test");
    await runPendingDetections(t.pool);
    await t.query(`INSERT INTO "IdentityAlias" (alias, identity) VALUES ('contoso\\cw', 'carol@contoso.com')`);
    const who = async (identity: string) =>
      new Set((await listAlerts(t.db, parseInput(AlertQuerySchema, { identity }))).items.map((a) => a.identity));
    expect(await who("carol")).toEqual(new Set(["carol@contoso.com", "carola@contoso.com"]));
    expect(await who("CAROLA")).toEqual(new Set(["carola@contoso.com"]));
    expect(await who("contoso\\cw")).toEqual(new Set(["carol@contoso.com"]));
    expect(await who("nobody")).toEqual(new Set());
    // The profile's list is the one identity, not the search.
    const own = await listAlerts(t.db, parseInput(AlertQuerySchema, {}), { exactIdentity: "carol@contoso.com" });
    expect(new Set(own.items.map((a) => a.identity))).toEqual(new Set(["carol@contoso.com"]));
  });

  it("gives each alert its sessions with NAS and vendor, its rules, and counts by status and severity", async () => {
    await writeAccountingRecords(t.pool, history("kim@contoso.com"), "test");
    await runPendingDetections(t.pool);
    const { items } = await listAlerts(t.db, parseInput(AlertQuerySchema, {}));
    const tokyo = items.find((a) => a.rule === "impossible-travel")!;
    expect(tokyo.rules).toEqual(["impossible-travel", "suspicious-vpn-connection", "concurrent-countries"]);
    // The trigger (Tokyo) and the other of the pair (Amsterdam, previous and concurrent at once): each once.
    expect(tokyo.sessions.map((s) => [s.role, s.publicIp, s.location, s.nas, s.vendor])).toEqual([
      ["trigger", "133.11.0.1", "Tokyo, Japan", "10.0.0.1", "cisco-asa"],
      ["previous", "91.198.174.192", "Amsterdam, Netherlands", "10.0.0.1", "cisco-asa"],
    ]);
    expect(tokyo.sessions[0]!.status).toBe("open");
    expect(tokyo.excludedBy).toBeNull();
    const counts = await countAlerts(t.db, parseInput(AlertQuerySchema, {}));
    expect(counts.status).toEqual({ new: 2, in_progress: 0, resolved: 0, dismissed: 0 });
    expect(counts.severity).toEqual({ low: 0, medium: 1, high: 1, critical: 0 });
    // A count by status keeps the other filters but not its own.
    const high = await countAlerts(t.db, parseInput(AlertQuerySchema, { severity: "high", status: "resolved" }));
    expect(high.status.new).toBe(1);
    expect(high.severity).toEqual({ low: 0, medium: 0, high: 0, critical: 0 });
    // The rule filter finds an incident by any of its rules.
    const concurrent = await listAlerts(t.db, parseInput(AlertQuerySchema, { rule: "concurrent-countries" }));
    expect(concurrent.items.map((a) => a.id)).toEqual([tokyo.id]);
  });

  it("triages many alerts at once: each noted and audited, the ones that cannot move say why", async () => {
    await writeAccountingRecords(
      t.pool,
      ["a", "b", "c"].flatMap((who) => history(`${who}@contoso.com`)),
      "test",
    );
    await runPendingDetections(t.pool);
    const analyst = await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "ann@contoso.test", password: "analyst-password-1", role: "analyst" }),
      { label: "test" },
    );
    await createUser(
      t.db,
      parseInput(CreateUserSchema, { email: "vic@contoso.test", password: "viewer-password-1", role: "viewer" }),
      { label: "test" },
    );
    const ids = (await listAlerts(t.db, parseInput(AlertQuerySchema, {}))).items.map((a) => a.id);
    expect(ids).toHaveLength(6);
    await updateAlert(t.db, ids[0]!, parseInput(AlertUpdateSchema, { status: "resolved" }), { label: "user:x" });
    const outcome = await updateAlerts(
      t.db,
      parseInput(AlertBulkUpdateSchema, {
        ids,
        status: "dismissed",
        assignee: "ANN@contoso.test",
        comment: "VPN test",
      }),
      { label: "user:lead@contoso.test" },
    );
    expect(outcome.updated).toEqual(ids.slice(1));
    expect(outcome.skipped).toEqual([{ id: ids[0], reason: "An alert that is resolved cannot become dismissed." }]);
    for (const id of ids.slice(1)) {
      const alert = (await getAlert(t.db, id))!;
      expect(alert.status).toBe("dismissed");
      expect(alert.assignee).toEqual({ email: "ann@contoso.test", name: null });
      expect(alert.notes.at(-1)).toMatchObject({ fromStatus: "new", toStatus: "dismissed", comment: "VPN test" });
    }
    const audits = await t.db.auditEntry.findMany({
      where: { action: "alert.update", actor: "user:lead@contoso.test" },
    });
    expect(audits.map((a) => a.target).sort()).toEqual(
      ids
        .slice(1)
        .map((id) => `alert:${id}`)
        .sort(),
    );
    expect(audits[0]!.changes).toMatchObject({ assignee: { from: null, to: "ann@contoso.test" }, comment: "added" });
    // Filter by assignee: the user's email, "me", "none".
    const by = async (assignee: string) =>
      (await listAlerts(t.db, parseInput(AlertQuerySchema, { assignee }), { userId: analyst.id })).items.length;
    expect(await by("ann@contoso.test")).toBe(5);
    expect(await by("me")).toBe(5);
    expect(await by("none")).toBe(1);
    // Only analysts and admins take alerts; an empty selection is refused.
    await expect(
      updateAlerts(t.db, parseInput(AlertBulkUpdateSchema, { ids, assignee: "vic@contoso.test" }), { label: "x" }),
    ).rejects.toThrow("vic@contoso.test is not an analyst or admin who can take alerts.");
    expect(() => parseInput(AlertBulkUpdateSchema, { ids: [], status: "new" })).toThrow("Select at least one alert.");
    // Unassign one.
    const one = await updateAlert(t.db, ids[1]!, parseInput(AlertUpdateSchema, { assignee: null }), { label: "x" });
    expect(one!.assignee).toBeNull();
  });

  it("exclusions: created and removed with an audit entry, and an alert they cover says so", async () => {
    await writeAccountingRecords(t.pool, history("carol@contoso.com"), "test");
    await runPendingDetections(t.pool);
    const tokyo = (await listAlerts(t.db, parseInput(AlertQuerySchema, { rule: "impossible-travel" }))).items[0]!;
    const made = await createExclusion(
      t.db,
      parseInput(ExclusionCreateSchema, {
        rule: "concurrent-countries",
        ipBlock: "133.11.0.1",
        reason: "Tokyo office egress",
        fromAlertId: tokyo.id,
      }),
      { label: "user:ann@contoso.test" },
    );
    expect(made).toMatchObject({ ipBlock: "133.11.0.1", active: true, suppressed: 0, fromAlertId: tokyo.id });
    expect(made.description).toBe("rule Concurrent countries · IP 133.11.0.1");
    // Covered by one of its rules: the incident says which exclusion.
    expect((await getAlert(t.db, tokyo.id))!.excludedBy).toMatchObject({ id: made.id, reason: "Tokyo office egress" });
    expect((await listExclusions(t.db)).items.map((e) => e.id)).toEqual([made.id]);
    const audit = await t.db.auditEntry.findFirstOrThrow({ where: { action: "exclusion.create" } });
    expect(audit.changes).toMatchObject({ rule: "concurrent-countries", ipBlock: "133.11.0.1", fromAlertId: tokyo.id });
    // Bad input, each with its reason.
    const bad = (input: object) => () => parseInput(ExclusionCreateSchema, input);
    expect(bad({ reason: "x" })).toThrow("Name what to exclude: an identity, an IP or CIDR, a country or a NAS.");
    expect(bad({ ipBlock: "10.0.0.0/33", reason: "x" })).toThrow("ipBlock is an IP address or a CIDR block");
    expect(bad({ countryCode: "GBR", reason: "x" })).toThrow("countryCode is a two-letter ISO country code.");
    expect(bad({ countryCode: "GB", reason: " " })).toThrow("Give a reason.");
    expect(bad({ countryCode: "GB", reason: "x", rule: "nope" })).toThrow(/rule is suspicious-vpn-connection/);
    await expect(
      createExclusion(
        t.db,
        parseInput(ExclusionCreateSchema, { countryCode: "gb", reason: "x", expiresAt: "2001-01-01T00:00:00Z" }),
        { label: "x" },
      ),
    ).rejects.toThrow("expiresAt must be in the future.");
    await deleteExclusion(t.db, made.id, { label: "user:ann@contoso.test" });
    expect((await getAlert(t.db, tokyo.id))!.excludedBy).toBeNull();
    await expect(deleteExclusion(t.db, made.id, { label: "x" })).rejects.toThrow("No such exclusion.");
    expect(await t.db.auditEntry.count({ where: { action: "exclusion.delete" } })).toBe(1);
  });
});
