import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import { OverviewQuerySchema, overview, periodBuckets } from "./overview.ts";

let t: TestDatabase;
const NOW = new Date("2026-11-30T12:30:00Z");
const HOUR = 3_600_000;
let n = 0;
const at = (identity: string, hoursAgo: number, countryCode: string, city: string, open = false) => ({
  sessionKey: `o${++n}`,
  identity,
  userName: identity,
  vendor: "f5" as const,
  nasKey: "10.0.0.1",
  sourceIp: "127.0.0.1",
  acctSessionId: `O${n}`,
  publicIp: `81.2.69.${n}`,
  locationKind: "geo",
  countryCode,
  country: { GB: "United Kingdom", KR: "South Korea", FR: "France" }[countryCode] ?? null,
  city,
  latitude: 50,
  longitude: 10,
  startedAt: new Date(NOW.getTime() - hoursAgo * HOUR),
  lastUpdateAt: new Date(NOW.getTime() - hoursAgo * HOUR),
  status: open ? ("open" as const) : ("closed" as const),
});

beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.vpnSession.createMany({
    data: [
      at("ann@contoso.com", 240, "GB", "London"),
      at("ann@contoso.com", 3, "GB", "London"),
      at("ann@contoso.com", 2, "KR", "Incheon", true),
      at("bob@contoso.com", 5, "GB", "London", true),
      at("bob@contoso.com", 26, "FR", "Paris"),
    ],
  });
  await t.query(
    `INSERT INTO "Alert" ("dedupeKey", rule, severity, identity, "occurredAt", evidence, "updatedAt", status) VALUES
     ('o1', 'impossible-travel', 'high', 'ann@contoso.com', now(), '{"summary":"x"}', now(), 'new'),
     ('o2', 'new-network', 'low', 'ann@contoso.com', now(), '{"summary":"x"}', now(), 'dismissed')`,
  );
});
afterAll(async () => t.drop());

describe("overview", () => {
  it("counts the day's sessions per hour, online now, countries (new ones marked), alerts and multi-country identities", async () => {
    const day = await overview(t.db, "24h", NOW);
    expect(day.activity).toHaveLength(24);
    expect(day.activity.reduce((s, b) => s + b.sessions, 0)).toBe(3);
    expect(day.activity.find((b) => b.from === "2026-11-30T10:00:00.000Z")?.sessions).toBe(1);
    expect(day.online).toEqual({ sessions: 2, identities: 2 });
    expect(day.countries.map((c) => [c.countryCode, c.sessions, c.identities, c.isNew])).toEqual([
      ["GB", 2, 2, false],
      ["KR", 1, 1, true],
    ]);
    expect(day.openAlerts).toEqual({ low: 0, medium: 0, high: 1, critical: 0 });
    expect(day.multiCountry).toEqual([{ identity: "ann@contoso.com", countries: ["GB", "KR"] }]);
    expect(day.places.map((p) => p.label).sort()).toEqual(["Incheon, South Korea", "London, United Kingdom"]);
  });

  it("counts 30 days per day, and refuses another period", async () => {
    const month = await overview(t.db, "30d", NOW);
    expect(month.activity).toHaveLength(30);
    expect(month.activity.reduce((s, b) => s + b.sessions, 0)).toBe(5);
    expect(month.multiCountry.map((m) => m.identity).sort()).toEqual(["ann@contoso.com", "bob@contoso.com"]);
    expect(periodBuckets("30d", NOW).start.toISOString()).toBe("2026-11-01T00:00:00.000Z");
    expect(() => OverviewQuerySchema.parse({ period: "1y" })).toThrow("period is 24h or 30d.");
  });

  it("the page's month figures are kept a minute and refreshed behind the scenes; online and alerts stay live", async () => {
    const first = await overview(t.db, "30d", NOW, { keep: true });
    expect(first.asOf).toBe(NOW.toISOString());
    await t.db.vpnSession.create({ data: at("cid@contoso.com", 1, "FR", "Paris", true) });
    const soon = await overview(t.db, "30d", new Date(NOW.getTime() + 30_000), { keep: true });
    expect(soon.asOf).toBe(NOW.toISOString()); // kept
    expect(soon.activity.reduce((sum, b) => sum + b.sessions, 0)).toBe(5);
    expect(soon.online.sessions).toBe(first.online.sessions + 1); // live
    // Over a minute old: served once more while the refresh runs, then the new figures.
    const later = new Date(NOW.getTime() + 61_000);
    expect((await overview(t.db, "30d", later, { keep: true })).asOf).toBe(NOW.toISOString());
    await expect.poll(async () => (await overview(t.db, "30d", later, { keep: true })).asOf).toBe(later.toISOString());
    const refreshed = await overview(t.db, "30d", later, { keep: true });
    expect(refreshed.activity.reduce((sum, b) => sum + b.sessions, 0)).toBe(6);
    // Without keep (the tests above, any other caller) it is computed every time.
    expect((await overview(t.db, "30d", NOW)).activity.reduce((sum, b) => sum + b.sessions, 0)).toBe(6);
    await t.db.vpnSession.deleteMany({ where: { identity: "cid@contoso.com" } });
  });
});
