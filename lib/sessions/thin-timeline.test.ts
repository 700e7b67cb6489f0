import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import { THIN_JOB, thinTimelineSlice } from "./thin-timeline.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

const T0 = Date.parse("2026-11-01T08:00:00Z");
const minutes = (m: number) => new Date(T0 + m * 60_000);

/** A session stored before timeline rows had to carry information: every Interim-Update is a row. */
async function oldSession(identity: string, key: string, rows: [string, number, string | null][]) {
  const [session] = await t.query<{ id: string }>(
    `INSERT INTO "VpnSession" ("sessionKey", identity, "userName", vendor, "nasKey", "sourceIp", "acctSessionId", "startedAt",
       "lastUpdateAt", status, "interimInterval") VALUES ($1, $2, $2, 'other', 'nas', '127.0.0.1', $1, $3, $3, 'closed', 600)
     RETURNING id`,
    [key, identity, minutes(0)],
  );
  await t.query(
    `INSERT INTO "Identity" (identity, "firstSeenAt", "lastSeenAt") VALUES ($1, $2, $2) ON CONFLICT DO NOTHING`,
    [identity, minutes(0)],
  );
  for (const [kind, at, ip] of rows)
    await t.query(
      `INSERT INTO "VpnSessionEvent" ("sessionId", identity, kind, "eventTime", "receivedAt", "publicIp", "sensorId")
       VALUES ($1, $2, $3, $4, $4, $5, 's1')`,
      [session!.id, identity, kind, minutes(at), ip],
    );
}
const left = async (key: string) =>
  (
    await t.query<{ kind: string; at: Date }>(
      `SELECT kind, "eventTime" AS at FROM "VpnSessionEvent" e JOIN "VpnSession" s ON s.id = e."sessionId"
       WHERE s."sessionKey" = $1 ORDER BY "eventTime"`,
      [key],
    )
  ).map((r) => `${r.kind}@${(r.at.getTime() - T0) / 60_000}`);

describe("thinning the timeline stored before it carried information", () => {
  it("keeps Start, Stop and the Interim-Updates that changed the IP or followed a stale gap, a slice at a time", async () => {
    const ip = "81.2.69.142";
    await oldSession("amy@contoso.com", "A", [
      ["start", 0, ip],
      ["interim", 10, ip],
      ["interim", 20, ip],
      ["interim", 30, "3.5.140.1"], // roamed: kept
      ["interim", 40, "3.5.140.1"],
      ["interim", 50, null], // no address: nothing new
      ["interim", 200, "3.5.140.1"], // 150 min after the last: over 3 × 10 min, the session had gone stale: kept
      ["stop", 210, "3.5.140.1"],
    ]);
    // Only Interim-Updates (a session whose Start was never received): the first is its first row, kept.
    await oldSession("ben@contoso.com", "B", [
      ["interim", 10, ip],
      ["interim", 20, ip],
    ]);
    await oldSession("cat@contoso.com", "C", [
      ["start", 0, ip],
      ["interim", 10, ip],
    ]);
    const first = await thinTimelineSlice(t.pool, 24, 2); // amy and ben
    expect(first).toEqual({ deleted: 5, done: false });
    expect(await left("A")).toEqual(["start@0", "interim@30", "interim@200", "stop@210"]);
    expect(await left("B")).toEqual(["interim@10"]);
    expect(await left("C")).toEqual(["start@0", "interim@10"]); // not reached yet
    expect(await thinTimelineSlice(t.pool, 24, 2)).toEqual({ deleted: 1, done: false });
    expect(await left("C")).toEqual(["start@0"]);
    expect(await thinTimelineSlice(t.pool, 24, 2)).toEqual({ deleted: 0, done: true });
    // Done once and for all: later calls do nothing.
    expect(await thinTimelineSlice(t.pool, 24, 2)).toEqual({ deleted: 0, done: true });
    const [job] = await t.query<{ doneAt: Date | null }>(`SELECT "doneAt" FROM "MaintenanceJob" WHERE name = $1`, [
      THIN_JOB,
    ]);
    expect(job!.doneAt).not.toBeNull();
  });
});
