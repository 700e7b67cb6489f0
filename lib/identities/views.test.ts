import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionEvent } from "../testing/session-event.ts";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import type { SessionEvent } from "../sessions/accounting-record.ts";
import { writeAccountingRecords } from "../sessions/store.ts";
import { identitySummary } from "./summary.ts";
import { identitySessionTimeline } from "./session-timeline.ts";
import {
  ActivitiesQuerySchema,
  IdentityListQuerySchema,
  activitiesCsv,
  csvCell,
  activityFilterOptions,
  getIdentityProfile,
  identityActivities,
  identityLocations,
  listIdentities,
} from "./views.ts";

// Sessions go in through the sensor's store, as in production.
let t: TestDatabase;
const NOW = new Date("2026-11-24T12:00:00Z");
const DAY = 86_400_000;
const PARIS = {
  kind: "geo" as const,
  countryCode: "FR",
  country: "France",
  region: "Île-de-France",
  city: "Paris",
  latitude: 48.86,
  longitude: 2.35,
};
const TOKYO = {
  kind: "geo" as const,
  countryCode: "JP",
  country: "Japan",
  region: "Tokyo",
  city: "Tokyo",
  latitude: 35.68,
  longitude: 139.69,
};
const PRIVATE = {
  kind: "private" as const,
  countryCode: null,
  country: null,
  region: null,
  city: null,
  latitude: null,
  longitude: null,
};

let n = 0;
function session(
  identity: string,
  daysAgo: number,
  location: SessionEvent["location"],
  opts: { open?: boolean; nas?: string; userName?: string; publicIp?: string } = {},
): SessionEvent[] {
  n += 1;
  const start = new Date(NOW.getTime() - daysAgo * DAY);
  const base = {
    sessionKey: `${identity}-${n}`,
    identity,
    userName: opts.userName ?? identity,
    vendor: "f5" as const,
    nasKey: opts.nas ?? "10.0.0.1",
    nasIp: opts.nas ?? "10.0.0.1",
    acctSessionId: `S${n}`,
    publicIp: opts.publicIp ?? `81.2.69.${n % 250}`,
    assignedIp: "10.8.0.1",
    location,
    receivedAt: start.toISOString(),
    inputBytes: "100",
    outputBytes: "200",
  };
  const events: SessionEvent[] = [sessionEvent({ ...base, kind: "start", eventTime: start.toISOString() })];
  if (!opts.open) {
    events.push(
      sessionEvent({
        ...base,
        kind: "stop",
        eventTime: new Date(start.getTime() + 3600_000).toISOString(),
        sessionTime: 3600,
        terminateCause: "User-Request",
      }),
    );
  }
  return events;
}

beforeAll(async () => {
  t = await createTestDatabase();
  const records = [
    ...session("bob@contoso.com", 2, PARIS, { userName: "CONTOSO\\bob" }),
    ...session("bob@contoso.com", 5, PARIS, { publicIp: "81.2.69.200" }),
    ...session("bob@contoso.com", 20, TOKYO, { nas: "asa-tokyo" }),
    ...session("bob@contoso.com", 60, PRIVATE),
    ...session("bob@contoso.com", 0.01, PARIS, { open: true }),
    ...session("alice@contoso.com", 100, TOKYO),
    ...session("carol@contoso.com", 1, null),
  ];
  await writeAccountingRecords(t.pool, records, "test");
  await t.db.identityAlias.create({ data: { alias: "robert@contoso.onmicrosoft.com", identity: "bob@contoso.com" } });
  await t.db.domainMapping.create({ data: { netbiosDomain: "contoso", upnSuffix: "contoso.com" } });
});
afterAll(async () => {
  await t.drop();
});

const list = (q: Record<string, string> = {}) => listIdentities(t.db, IdentityListQuerySchema.parse(q), NOW);

describe("identities list", () => {
  it("lists identities with last connection, last location, 30-day counts and online sessions", async () => {
    const { items, total } = await list();
    expect(total).toBe(3);
    expect(items.map((i) => i.identity)).toEqual(["bob@contoso.com", "carol@contoso.com", "alice@contoso.com"]);
    expect(items[0]).toMatchObject({
      sessions30d: 4,
      locations30d: 2,
      onlineSessions: 1,
      lastLocation: { label: "Paris, France" },
    });
    expect(items[2]).toMatchObject({ sessions30d: 0, locations30d: 0, onlineSessions: 0 });
  });

  it("searches by UPN, alias and DOMAIN\\user, filters online, sorts and pages", async () => {
    expect((await list({ q: "BOB" })).items.map((i) => i.identity)).toEqual(["bob@contoso.com"]);
    expect((await list({ q: "robert@contoso.onmicrosoft" })).items.map((i) => i.identity)).toEqual(["bob@contoso.com"]);
    expect((await list({ q: "CONTOSO\\bob" })).items.map((i) => i.identity)).toEqual(["bob@contoso.com"]);
    expect((await list({ q: "%" })).items).toEqual([]);
    expect((await list({ online: "1" })).items.map((i) => i.identity)).toEqual(["bob@contoso.com"]);
    expect((await list({ sort: "identity", dir: "asc" })).items.map((i) => i.identity)).toEqual([
      "alice@contoso.com",
      "bob@contoso.com",
      "carol@contoso.com",
    ]);
    const page2 = await list({ sort: "identity", dir: "asc", pageSize: "2", page: "2" });
    expect(page2).toMatchObject({ total: 3, items: [{ identity: "carol@contoso.com" }] });
  });

  it("sorts by the 30-day counts across pages, not only within one", async () => {
    const all = (await list({ sort: "identity", dir: "asc" })).items;
    for (const [sort, count] of [
      ["sessions30d", "sessions30d"],
      ["locations30d", "locations30d"],
    ] as const) {
      const busiestFirst = [...all].sort(
        (a, b) => b[count] - a[count] || b.lastSeen.localeCompare(a.lastSeen) || a.identity.localeCompare(b.identity),
      );
      expect((await list({ sort, dir: "desc" })).items.map((i) => i.identity)).toEqual(
        busiestFirst.map((i) => i.identity),
      );
      const first = await list({ sort, dir: "desc", pageSize: "1", page: "1" });
      expect(first.items[0]![count]).toBe(Math.max(...all.map((i) => i[count])));
      const last = await list({ sort, dir: "asc", pageSize: "1", page: "1" });
      expect(last.items[0]![count]).toBe(Math.min(...all.map((i) => i[count])));
    }
    expect(new Set(all.map((i) => i.sessions30d)).size).toBeGreaterThan(1); // the fixture tells them apart
    expect(() => IdentityListQuerySchema.parse({ sort: "bytes" })).toThrow(
      /sort is one of lastSeen, identity, sessions30d, locations30d/,
    );
  });
});

describe("entity profile", () => {
  it("shows names as sent, aliases, online state", async () => {
    expect(await getIdentityProfile(t.db, "bob@contoso.com")).toMatchObject({
      aliases: ["robert@contoso.onmicrosoft.com"],
      namesAsSent: ["CONTOSO\\bob", "bob@contoso.com"],
      onlineSessions: 1,
    });
    expect(await getIdentityProfile(t.db, "nobody@contoso.com")).toBeNull();
  });

  it("groups distinct locations for the chosen range, with private and unknown ones named", async () => {
    const week = await identityLocations(t.db, "bob@contoso.com", 7, NOW);
    expect(week.map((l) => [l.label, l.sessions])).toEqual([["Paris, Île-de-France, France", 3]]);
    expect(week[0]!.publicIps).toContain("81.2.69.200");
    const quarter = await identityLocations(t.db, "bob@contoso.com", 90, NOW);
    expect(quarter.map((l) => l.label).sort()).toEqual([
      "Paris, Île-de-France, France",
      "Private network",
      "Tokyo, Japan",
    ]);
    expect((await identityLocations(t.db, "carol@contoso.com", 30, NOW)).map((l) => l.label)).toEqual([
      "Unknown location",
    ]);
    // New: first seen (in the retained history) within the range. Paris first came 5 days ago, Tokyo 20, private 60.
    expect(week.map((l) => [l.city, l.familiarity])).toEqual([["Paris", "new"]]);
    const month = await identityLocations(t.db, "bob@contoso.com", 30, NOW);
    expect(Object.fromEntries(month.map((l) => [l.city, l.familiarity]))).toEqual({ Paris: "new", Tokyo: "new" });
    expect(Object.fromEntries(quarter.map((l) => [l.label, l.familiarity]))).toMatchObject({
      "Private network": "new",
    });
    // Usual: seen before the range too. dan: Paris 40 and 3 days ago, Tokyo 3 days ago.
    await writeAccountingRecords(
      t.pool,
      [
        ...session("dan@contoso.com", 40, PARIS),
        ...session("dan@contoso.com", 3, PARIS),
        ...session("dan@contoso.com", 3, TOKYO),
      ],
      "test",
    );
    const dan = await identityLocations(t.db, "dan@contoso.com", 30, NOW);
    expect(Object.fromEntries(dan.map((l) => [l.city, [l.familiarity, l.sessions]]))).toEqual({
      Paris: ["usual", 1],
      Tokyo: ["new", 1],
    });
  });

  it("sums the profile up: open alerts by severity, the usual countries, the last connection", async () => {
    await t.query(
      `INSERT INTO "Alert" ("dedupeKey", rule, severity, identity, "occurredAt", evidence, "updatedAt", status) VALUES
       ('s1', 'impossible-travel', 'high', 'bob@contoso.com', now(), '{"summary":"x"}', now(), 'new'),
       ('s2', 'concurrent-countries', 'medium', 'bob@contoso.com', now(), '{"summary":"x"}', now(), 'in_progress'),
       ('s3', 'concurrent-countries', 'medium', 'bob@contoso.com', now(), '{"summary":"x"}', now(), 'resolved')`,
    );
    const summary = await identitySummary(t.db, "bob@contoso.com", undefined, NOW);
    expect(summary.openAlerts).toEqual({ low: 0, medium: 1, high: 1, critical: 0 });
    // The window before yesterday: Paris twice (2 and 5 days ago) and Tokyo (20); not today's open session.
    expect(summary.usualCountries).toEqual([
      { countryCode: "FR", country: "France", sessions: 2 },
      { countryCode: "JP", country: "Japan", sessions: 1 },
    ]);
    expect(summary.lastConnection).toMatchObject({ open: true, location: "Paris, Île-de-France, France" });
    await t.query(`DELETE FROM "Alert" WHERE "dedupeKey" IN ('s1', 's2', 's3')`);
  });

  it("shows the timeline one row per session, its records inside, filtered like the event list", async () => {
    const q = (extra: Record<string, unknown>) =>
      identitySessionTimeline(t.db, "bob@contoso.com", ActivitiesQuerySchema.parse({ days: 180, ...extra }), NOW);
    const all = await q({});
    expect(all.items).toHaveLength(5);
    const open = all.items[0]!;
    expect(open).toMatchObject({ status: "open", endedAt: null, location: "Paris, Île-de-France, France" });
    expect(open.events.map((e) => e.type)).toEqual(["start"]);
    const tokyo = (await q({ location: "geo|JP|Tokyo" })).items;
    expect(tokyo.map((x) => [x.nas, x.durationSeconds, x.events.map((e) => e.type)])).toEqual([
      ["asa-tokyo", 3600, ["start", "stop"]],
    ]);
    expect((await q({ nas: "asa-tokyo" })).items).toHaveLength(1);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await q({ limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((x) => x.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all.items.map((x) => x.id));
  });

  it("filters the timeline by type, location, NAS and range, newest first with a cursor", async () => {
    const q = (extra: Record<string, unknown>) =>
      identityActivities(t.db, "bob@contoso.com", ActivitiesQuerySchema.parse({ days: 180, ...extra }), NOW);
    const all = await q({});
    expect(all.items).toHaveLength(9);
    expect([...all.items.map((a) => a.time)].sort().reverse()).toEqual(all.items.map((a) => a.time));
    expect((await q({ type: "stop" })).items.every((a) => a.type === "stop")).toBe(true);
    expect((await q({ location: "geo|JP|Tokyo" })).items.map((a) => a.nas)).toEqual(["asa-tokyo", "asa-tokyo"]);
    expect((await q({ location: "private" })).items).toHaveLength(2);
    expect((await q({ nas: "asa-tokyo", type: "start" })).items).toHaveLength(1);
    expect(
      (await identityActivities(t.db, "bob@contoso.com", ActivitiesQuerySchema.parse({}), NOW)).items,
    ).toHaveLength(7);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await q({ limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((a) => a.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all.items.map((a) => a.id));
    const options = await activityFilterOptions(t.db, "bob@contoso.com", NOW);
    expect(options.nas.sort()).toEqual(["10.0.0.1", "asa-tokyo"]);
    expect(options.locations.map((l) => l.key).sort()).toEqual(["geo|FR|Paris", "geo|JP|Tokyo", "private"]);
  });

  it("exports the filtered timeline as CSV", async () => {
    const text = await new Response(
      activitiesCsv(t.db, "bob@contoso.com", ActivitiesQuerySchema.parse({ days: 180, type: "stop" })),
    ).text();
    const lines = text.trim().split("\n");
    expect(lines[0]).toBe(
      "time,type,publicIp,location,nas,vendor,assignedIp,durationSeconds,inputBytes,outputBytes,terminateCause,asn,asOrganization,hosting",
    );
    expect(lines).toHaveLength(5);
    // No network owner in these records: the last three cells are empty.
    expect(lines.slice(1).every((l) => l.includes(",stop,") && l.endsWith(",User-Request,,,"))).toBe(true);
    expect(text).toContain('"Paris, Île-de-France, France"');
  });

  it("defuses formulas in CSV cells, also after a ';' (Excel in ';' locales splits cells there)", () => {
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell("User-Request;=cmd|' /C calc'!A0")).toBe("\"User-Request;=cmd|' /C calc'!A0\"");
    expect(csvCell("a;b")).toBe('"a;b"');
    expect(csvCell("plain")).toBe("plain");
  });
});
