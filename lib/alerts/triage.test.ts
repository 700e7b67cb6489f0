// listAlerts against a real database, on alerts the detector raised from real history.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { writeAccountingRecords } from "../sessions/store.ts";
import { listAlerts, AlertQuerySchema } from "./triage.ts";
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
  await t.query(`TRUNCATE "VpnSession", "VpnSessionEvent", "Identity", "Alert" CASCADE`);
});

const NOW = Date.now();
const history = (identity: string) => historyOf(identity, NOW);

describe("listAlerts", () => {
  it("pages newest first with nextCursor: every alert once, filters kept, null after the last page", async () => {
    await writeAccountingRecords(t.pool, [...history("carol@contoso.com"), ...history("dave@contoso.com")], "test");
    await runPendingDetections(t.pool);
    const all = (await listAlerts(t.db, parseInput(AlertQuerySchema, { limit: 500 }))).items.map((a) => a.id);
    expect(all).toHaveLength(8);
    const paged: string[] = [];
    let cursor: string | undefined;
    for (let pages = 1; ; pages++) {
      const page = await listAlerts(t.db, parseInput(AlertQuerySchema, { limit: 3, cursor }));
      paged.push(...page.items.map((a) => a.id));
      if (!page.nextCursor) {
        expect(pages).toBe(3);
        break;
      }
      cursor = page.nextCursor;
    }
    expect(paged).toEqual(all);

    const first = await listAlerts(t.db, parseInput(AlertQuerySchema, { identity: "carol@contoso.com", limit: 3 }));
    const second = await listAlerts(
      t.db,
      parseInput(AlertQuerySchema, { identity: "carol@contoso.com", limit: 3, cursor: first.nextCursor! }),
    );
    expect([...first.items, ...second.items].map((a) => a.identity)).toEqual(Array(4).fill("carol@contoso.com"));
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
});
