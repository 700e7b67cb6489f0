// runPendingDetections against a real database: a whole batch judged at once gives the same
// alerts as sessions judged one by one (each sees only the history before it).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { writeAccountingRecords } from "../sessions/store.ts";
import { listAlerts, AlertQuerySchema } from "./triage.ts";
import { runPendingDetections } from "./session-judging.ts";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import { DAY, LONDON, TOKYO, history as historyOf, start } from "../testing/vpn-history.ts";
import { parseInput } from "../errors.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});
beforeEach(async () => {
  await t.query(`TRUNCATE "VpnSession", "VpnSessionEvent", "Identity", "Alert", "DetectionExclusion" CASCADE`);
});

const NOW = Date.now();
const history = (identity: string) => historyOf(identity, NOW);

/** Rules (one incident per session), occurrences and (for travel) the direction: a session judged against a later one would show here. */
const rulesOf = async (identity: string) =>
  (await listAlerts(t.db, parseInput(AlertQuerySchema, { identity }))).items
    .map((a) => {
      const e = a.evidence as { previous?: { countryCode: string }; session: { countryCode: string } };
      return `${a.rules.join("+")}${e.previous ? `:${e.previous.countryCode}->${e.session.countryCode}` : `:${e.session.countryCode}`}×${a.occurrences}`;
    })
    .sort();
// Tokyo, 30 minutes after Amsterdam (still open), fires three rules on one session: one alert, the most severe first.
const EXPECTED = [
  "impossible-travel+suspicious-vpn-connection+concurrent-countries:NL->JP×1",
  "suspicious-vpn-connection:NL×1",
];
const exclude = (fields: Record<string, string | null>) =>
  t.query<{ id: string }>(
    `INSERT INTO "DetectionExclusion" (id, rule, identity, "ipBlock", "countryCode", nas, reason, "expiresAt", "createdBy")
     VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, 'test', $6, 'test') RETURNING id::text`,
    [
      fields.rule ?? null,
      fields.identity ?? null,
      fields.ipBlock ?? null,
      fields.countryCode ?? null,
      fields.nas ?? null,
      fields.expiresAt ?? null,
    ],
  );
const suppressedBy = async (id: string) =>
  (await t.query<{ n: number }>(`SELECT suppressed AS n FROM "DetectionExclusion" WHERE id = $1::uuid`, [id]))[0]!.n;

describe("runPendingDetections", () => {
  it("judges a whole batch as if one by one: history first, alerts only for the unusual sessions", async () => {
    await writeAccountingRecords(t.pool, [...history("carol@contoso.com"), ...history("dave@contoso.com")], "test");
    expect(await runPendingDetections(t.pool)).toBe(28);
    expect(await runPendingDetections(t.pool)).toBe(0);
    expect(await rulesOf("carol@contoso.com")).toEqual(EXPECTED);
    expect(await rulesOf("dave@contoso.com")).toEqual(EXPECTED);
  });

  it("gives the same alerts when each session is judged in its own batch", async () => {
    await writeAccountingRecords(t.pool, history("erin@contoso.com"), "test");
    let judged = 0;
    for (let n; (n = await runPendingDetections(t.pool, undefined, 1)) > 0;) judged += n;
    expect(judged).toBe(14);
    expect(await rulesOf("erin@contoso.com")).toEqual(EXPECTED);
  });

  it("two detectors judging the same sessions at once raise each alert once", async () => {
    await writeAccountingRecords(t.pool, history("gina@contoso.com"), "test");
    const [a, b] = await Promise.all([runPendingDetections(t.pool), runPendingDetections(t.pool)]);
    expect(a + b).toBeGreaterThanOrEqual(14);
    expect(await rulesOf("gina@contoso.com")).toEqual(EXPECTED);
    expect(
      (await t.query<{ n: number }>(`SELECT count(*)::int AS n FROM "VpnSession" WHERE "detectedAt" IS NULL`))[0]!.n,
    ).toBe(0);
  });

  it("raises nothing while an identity is still learning", async () => {
    const s = start("frank@contoso.com", "ONLY", NOW - DAY, "133.11.0.1", TOKYO);
    await writeAccountingRecords(t.pool, [s], "test");
    expect(await runPendingDetections(t.pool)).toBe(1);
    expect(await rulesOf("frank@contoso.com")).toEqual([]);
  });

  it("keeps excluded findings from becoming alerts, counts them, and leaves the other rules of the session", async () => {
    // Tokyo's IP, for impossible travel only: the Tokyo incident keeps its other two rules.
    const [byIp] = await exclude({ rule: "impossible-travel", ipBlock: "133.11.0.0/16" });
    // The Netherlands, for every rule, but for another identity: no effect here.
    await exclude({ countryCode: "NL", identity: "someone@contoso.com" });
    // Expired: no effect.
    await exclude({ countryCode: "NL", expiresAt: new Date(NOW - DAY).toISOString() });
    await writeAccountingRecords(t.pool, history("hana@contoso.com"), "test");
    await runPendingDetections(t.pool);
    expect(await rulesOf("hana@contoso.com")).toEqual([
      "suspicious-vpn-connection+concurrent-countries:JP×1",
      "suspicious-vpn-connection:NL×1",
    ]);
    expect(await suppressedBy(byIp!.id)).toBe(1);

    // The NAS (its NAS-IP-Address), for every rule: nothing at all.
    const [byNas] = await exclude({ nas: "10.0.0.1" });
    await writeAccountingRecords(t.pool, history("ivan@contoso.com"), "test");
    await runPendingDetections(t.pool);
    expect(await rulesOf("ivan@contoso.com")).toEqual([]);
    // Each finding counts once, for the first exclusion that covers it: Tokyo's travel is still the IP's.
    expect(await suppressedBy(byNas!.id)).toBe(3);
    expect(await suppressedBy(byIp!.id)).toBe(2);
  });

  it("judges the network of a session with no known place too (the network rules need no location)", async () => {
    const HOME = { asn: 3215, organization: "Orange S.A.", hosting: false };
    const AWS = { asn: 16509, organization: "Amazon.com, Inc.", hosting: true };
    const learned = history("jo@contoso.com")
      .slice(0, -2)
      .map((e) => ({ ...e, network: HOME }));
    const unplaced = {
      ...start("jo@contoso.com", "AWS", NOW - 600_000, "3.5.140.1", LONDON),
      location: null,
      network: AWS,
    };
    await writeAccountingRecords(t.pool, [...learned, unplaced], "test");
    await runPendingDetections(t.pool);
    const { items } = await listAlerts(t.db, parseInput(AlertQuerySchema, { identity: "jo@contoso.com" }));
    expect(items.map((a) => a.rules)).toEqual([["hosting-network", "new-network"]]);
  });
});
