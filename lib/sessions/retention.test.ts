import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeAccountingRecords } from "./store.ts";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import { DAY, LONDON, start, stop } from "../testing/vpn-history.ts";
import { identityLearning } from "../alerts/triage.ts";
import { DEFAULT_DETECTION_SETTINGS } from "../alerts/detections.ts";
import { purgeExpiredActivity } from "./retention.ts";
import { addTimelinePartitions, timelinePartitions } from "./partitions.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(() => t.drop());

const counts = async () =>
  (
    await t.query<{ sessions: number; events: number; identities: number }>(
      `SELECT (SELECT count(*) FROM "VpnSession")::int AS sessions, (SELECT count(*) FROM "VpnSessionEvent")::int AS events, (SELECT count(*) FROM "Identity")::int AS identities`,
    )
  )[0]!;

describe("purgeExpiredActivity", () => {
  it("drops the timeline's months older than the retention, deletes the rest of it and ended sessions, keeps open sessions, recent activity and the identities", async () => {
    const now = Date.now();
    await addTimelinePartitions(t.pool, 5); // monthly partitions for the history written below
    const records = [];
    // alice: a session a day for 100 days (ended after an hour); bob: one session opened 70 days ago, still open.
    for (let day = 100; day >= 1; day--) {
      const s = start("alice@contoso.com", `A-${day}`, now - day * DAY, "81.2.69.142", LONDON);
      records.push(s, stop(s, now - day * DAY + 3_600_000));
    }
    records.push(start("bob@contoso.com", "B-open", now - 70 * DAY, "81.2.69.142", LONDON));
    await writeAccountingRecords(t.pool, records, "test");
    expect(await counts()).toEqual({ sessions: 101, events: 201, identities: 2 });
    const learningBefore = await identityLearning(t.db, "alice@contoso.com", DEFAULT_DETECTION_SETTINGS);
    const summaryBefore = await t.db.identity.findMany({ orderBy: { identity: "asc" } });
    // An alert on a session that retention deletes.
    await t.db.alert.create({
      data: {
        dedupeKey: "alice|new-country|x|old",
        rule: "new-country",
        severity: "medium",
        identity: "alice@contoso.com",
        occurredAt: new Date(now - 90 * DAY),
        evidence: { sessionKeys: ["alice@contoso.com|A-90"] },
      },
    });

    const cutoff = now - 60 * DAY;
    const wholeMonthsBefore = (await timelinePartitions(t.pool)).filter(
      (p) => !p.isDefault && p.upper && p.upper.getTime() <= cutoff,
    );
    expect(wholeMonthsBefore.length).toBeGreaterThanOrEqual(1);
    const deleted = await purgeExpiredActivity(t.pool, 60, { now: new Date(now) });
    // Days 100 … 61 of alice (40 sessions, 80 timeline rows) and the 70-day-old Start of bob's session, which stays: it
    // is still open. The months wholly before the cutoff went as partitions; the rest of the rows one by one.
    expect(deleted.partitions).toBe(wholeMonthsBefore.length);
    expect(deleted.sessions).toBe(40);
    expect(deleted.events).toBeLessThan(81);
    expect(await counts()).toEqual({ sessions: 61, events: 120, identities: 2 });
    const left = await timelinePartitions(t.pool);
    expect(left.filter((p) => p.upper && p.upper.getTime() <= cutoff)).toEqual([]);
    expect(left.map((p) => p.name)).toContain("VpnSessionEvent_default");
    const oldest = await t.query<{ startedAt: Date; eventTime: Date }>(
      `SELECT (SELECT min("startedAt") FROM "VpnSession" WHERE identity = 'alice@contoso.com') AS "startedAt", (SELECT min("eventTime") FROM "VpnSessionEvent") AS "eventTime"`,
    );
    expect(now - oldest[0]!.startedAt.getTime()).toBeLessThanOrEqual(60 * DAY);
    expect(now - oldest[0]!.eventTime.getTime()).toBeLessThanOrEqual(60 * DAY);
    expect(await t.query(`SELECT status FROM "VpnSession" WHERE identity = 'bob@contoso.com'`)).toEqual([
      { status: "open" },
    ]);
    // The profile's learning state rests on the identity's first sighting, which retention keeps, as it keeps each
    // identity's first and last sighting and last place, and the alerts.
    expect(await identityLearning(t.db, "alice@contoso.com", DEFAULT_DETECTION_SETTINGS)).toEqual(learningBefore);
    expect(await t.db.identity.findMany({ orderBy: { identity: "asc" } })).toEqual(summaryBefore);
    expect(await t.db.alert.count({ where: { identity: "alice@contoso.com" } })).toBe(1);

    expect(await purgeExpiredActivity(t.pool, 60, { now: new Date(now) })).toEqual({
      partitions: 0,
      events: 0,
      sessions: 0,
    });
  });

  it("stops between slices when asked to (the sensor got busy)", async () => {
    expect(await purgeExpiredActivity(t.pool, 1, { mayContinue: () => false })).toEqual({
      partitions: 0,
      events: 0,
      sessions: 0,
    });
    expect((await counts()).sessions).toBe(61);
  });
});
