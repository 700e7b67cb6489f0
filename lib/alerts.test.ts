// runPendingDetections against a real database: a whole batch judged at once gives the same
// alerts as sessions judged one by one (each sees only the history before it).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SessionEvent } from "../sensor/session-event.ts";
import { writeAccountingRecords } from "../sensor/store.ts";
import { listAlerts, runPendingDetections } from "./alerts.ts";
import type { GeoLocation } from "./geo.ts";
import { sessionEvent } from "./testing/session-event.ts";
import { createTestDatabase, type TestDatabase } from "./testing/test-database.ts";

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

const DAY = 86_400_000;
const NOW = Date.now();
const LONDON: GeoLocation = { kind: "geo", countryCode: "GB", country: "United Kingdom", region: null, city: "London", latitude: 51.5, longitude: -0.12 };
const AMSTERDAM: GeoLocation = { kind: "geo", countryCode: "NL", country: "Netherlands", region: null, city: "Amsterdam", latitude: 52.37, longitude: 4.9 };
const TOKYO: GeoLocation = { kind: "geo", countryCode: "JP", country: "Japan", region: null, city: "Tokyo", latitude: 35.68, longitude: 139.69 };

const start = (identity: string, id: string, at: number, ip: string, location: GeoLocation): SessionEvent =>
  sessionEvent({ sessionKey: `${identity}|${id}`, eventKey: `${identity}|${id}|start`, identity, acctSessionId: id, publicIp: ip, location, eventTime: new Date(at).toISOString() });
const stop = (s: SessionEvent, at: number): SessionEvent => ({ ...s, kind: "stop", eventKey: `${s.eventKey}|stop`, eventTime: new Date(at).toISOString(), sessionTime: Math.round((at - Date.parse(s.eventTime)) / 1000), terminateCause: "User-Request" });

/** 34 days of London for `identity`, then Amsterdam (new country) and Tokyo 30 minutes later. */
function history(identity: string): SessionEvent[] {
  const records: SessionEvent[] = [];
  for (let day = 35; day >= 2; day -= 3) {
    const s = start(identity, `H-${day}`, NOW - day * DAY, "81.2.69.142", LONDON);
    records.push(s, stop(s, NOW - day * DAY + 3_600_000));
  }
  records.push(start(identity, "NEW-NL", NOW - 3_600_000, "91.198.174.192", AMSTERDAM), start(identity, "NEW-JP", NOW - 1_800_000, "133.11.0.1", TOKYO));
  return records;
}

/** Rule, occurrences and (for travel) the direction: a session judged against a later one would show here. */
const rulesOf = async (identity: string) =>
  (await listAlerts(t.db, { identity })).items
    .map((a) => {
      const e = a.evidence as { previous?: { countryCode: string }; session: { countryCode: string } };
      return `${a.rule}${e.previous ? `:${e.previous.countryCode}->${e.session.countryCode}` : `:${e.session.countryCode}`}×${a.occurrences}`;
    })
    .sort();
const EXPECTED = ["concurrent-countries:JP×1", "impossible-travel:NL->JP×1", "suspicious-vpn-connection:JP×1", "suspicious-vpn-connection:NL×1"];

describe("runPendingDetections", () => {
  it("judges a whole batch as if one by one: history first, alerts only for the unusual sessions", async () => {
    await writeAccountingRecords(t.pool, [...history("carol@contoso.com"), ...history("dave@contoso.com")], "test");
    expect(await runPendingDetections(t.db)).toBe(28);
    expect(await runPendingDetections(t.db)).toBe(0);
    expect(await rulesOf("carol@contoso.com")).toEqual(EXPECTED);
    expect(await rulesOf("dave@contoso.com")).toEqual(EXPECTED);
  });

  it("gives the same alerts when each session is judged in its own batch", async () => {
    await writeAccountingRecords(t.pool, history("erin@contoso.com"), "test");
    let judged = 0;
    for (let n; (n = await runPendingDetections(t.db, undefined, 1)) > 0; ) judged += n;
    expect(judged).toBe(14);
    expect(await rulesOf("erin@contoso.com")).toEqual(EXPECTED);
  });

  it("two detectors judging the same sessions at once raise each alert once", async () => {
    await writeAccountingRecords(t.pool, history("gina@contoso.com"), "test");
    const [a, b] = await Promise.all([runPendingDetections(t.db), runPendingDetections(t.db)]);
    expect(a + b).toBeGreaterThanOrEqual(14);
    expect(await rulesOf("gina@contoso.com")).toEqual(EXPECTED);
    expect((await t.query<{ n: number }>(`SELECT count(*)::int AS n FROM "VpnSession" WHERE "detectedAt" IS NULL`))[0]!.n).toBe(0);
  });

  it("raises nothing while an identity is still learning", async () => {
    const s = start("frank@contoso.com", "ONLY", NOW - DAY, "133.11.0.1", TOKYO);
    await writeAccountingRecords(t.pool, [s], "test");
    expect(await runPendingDetections(t.db)).toBe(1);
    expect(await rulesOf("frank@contoso.com")).toEqual([]);
  });
});
