import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, migrateDatabase } from "../db/migrator.ts";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import { sessionEvent } from "../testing/session-event.ts";
import { addTimelinePartitions, timelinePartitions } from "./partitions.ts";
import { writeAccountingRecords } from "./store.ts";
import { THIN_JOB, thinTimelineSlice } from "./thin-timeline.ts";

const PARTITIONING = "20261201010000_partitioned_timeline";
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ migrate: false });
});
afterAll(() => t.drop());

/** The migrations before the partitioned timeline, as a directory of their own. */
function migrationsBefore(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-migrations-"));
  for (const entry of fs.readdirSync(MIGRATIONS_DIR)) {
    if (entry.includes("_") && entry >= name) continue;
    fs.cpSync(path.join(MIGRATIONS_DIR, entry), path.join(dir, entry), { recursive: true });
  }
  return dir;
}

const T0 = Date.parse("2026-10-05T08:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

describe("the partitioned timeline", () => {
  it("migrates a database with every Interim-Update stored as a row: nothing lost, then thinned, then idempotent", async () => {
    await migrateDatabase(t.url, { dir: migrationsBefore(PARTITIONING) });
    // As the store wrote them before: a row per record, each with its own eventKey. Amy roamed at minute 20.
    await t.query(
      `INSERT INTO "VpnSession" ("sessionKey", identity, "userName", vendor, "nasKey", "sourceIp", "acctSessionId", "startedAt",
         "lastUpdateAt", "endedAt", status, "interimInterval", "publicIp", "lastPublicIp")
       VALUES ('A', 'amy@contoso.com', 'amy', 'cisco_asa', 'nas', '127.0.0.1', 'A', $1, $2, $2, 'closed', 600, '81.2.69.142', '3.5.140.1')`,
      [at(0), at(40)],
    );
    await t.query(`INSERT INTO "Identity" (identity, "firstSeenAt", "lastSeenAt") VALUES ('amy@contoso.com', $1, $2)`, [
      at(0),
      at(40),
    ]);
    const stored: [string, number, string][] = [
      ["start", 0, "81.2.69.142"],
      ["interim", 10, "81.2.69.142"],
      ["interim", 20, "3.5.140.1"],
      ["interim", 30, "3.5.140.1"],
      ["stop", 40, "3.5.140.1"],
    ];
    for (const [kind, minute, ip] of stored)
      await t.query(
        `INSERT INTO "VpnSessionEvent" ("eventKey", "sessionKey", identity, kind, "eventTime", "receivedAt", "publicIp", "sensorId")
         VALUES ($1, 'A', 'amy@contoso.com', $2, $3, $3, $4, 's1')`,
        [`A-${kind}-${minute}`, kind, at(minute), ip],
      );

    expect((await migrateDatabase(t.url)).applied).toContain(PARTITIONING);
    const timeline = () =>
      t.query<{ kind: string; minute: number; publicIp: string }>(
        `SELECT kind, (extract(epoch FROM "eventTime" - $1) / 60)::int AS minute, "publicIp" FROM "VpnSessionEvent" ORDER BY "eventTime"`,
        [at(0)],
      );
    expect((await timeline()).length).toBe(5); // attached as they were
    const partitions = await timelinePartitions(t.pool);
    // The old table holds everything until next month; the months after it and the default partition are new.
    expect(partitions[0]).toMatchObject({ name: "VpnSessionEvent_legacy", lower: null });
    expect(partitions.filter((p) => /^VpnSessionEvent_\d{6}$/.test(p.name))).toHaveLength(2);
    expect(partitions.at(-1)).toMatchObject({ name: "VpnSessionEvent_default", isDefault: true });

    while (!(await thinTimelineSlice(t.pool, 24)).done);
    expect(
      await t.query(`SELECT "doneAt" IS NOT NULL AS done FROM "MaintenanceJob" WHERE name = $1`, [THIN_JOB]),
    ).toEqual([{ done: true }]);
    expect(await timeline()).toEqual([
      { kind: "start", minute: 0, publicIp: "81.2.69.142" },
      { kind: "interim", minute: 20, publicIp: "3.5.140.1" },
      { kind: "stop", minute: 40, publicIp: "3.5.140.1" },
    ]);

    // The session's Stop again (a late retransmission): the closed session counts as having it.
    await writeAccountingRecords(
      t.pool,
      [
        sessionEvent({
          kind: "stop",
          sessionKey: "A",
          identity: "amy@contoso.com",
          eventTime: at(40).toISOString(),
          sessionTime: 2400,
          publicIp: "3.5.140.1",
        }),
      ],
      "s1",
    );
    expect(await timeline()).toHaveLength(3);
  });

  it("keeps a record outside every month in the default partition until its month's partition is made", async () => {
    const now = new Date();
    const ahead = (months: number) =>
      new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + months, 10)).toISOString();
    // A NAS whose clock is four months ahead.
    await writeAccountingRecords(
      t.pool,
      [sessionEvent({ sessionKey: "far", identity: "bob@contoso.com", eventTime: ahead(4) })],
      "s1",
    );
    const holding = async (name: string) =>
      (await t.query<{ n: number }>(`SELECT count(*)::int AS n FROM vpnsight_partitions."${name}"`))[0]!.n;
    expect(await holding("VpnSessionEvent_default")).toBe(1);
    await t.query(`SELECT vpnsight_add_timeline_partitions(0, 4)`);
    const month = ahead(4).slice(0, 7).replace("-", "");
    expect(await holding("VpnSessionEvent_default")).toBe(0);
    expect(await holding(`VpnSessionEvent_${month}`)).toBe(1);
    expect(
      await t.query(
        `SELECT count(*)::int AS n FROM "VpnSessionEvent" e JOIN "VpnSession" s ON s.id = e."sessionId" WHERE s."sessionKey" = 'far'`,
      ),
    ).toEqual([{ n: 1 }]);
    // Nothing more to make: every month up to then has its partition.
    expect(await addTimelinePartitions(t.pool)).toBe(0);
  });

  it("refuses to drop partitions for a cutoff less than a day old", async () => {
    await expect(t.query(`SELECT vpnsight_detach_timeline_partitions(now())`)).rejects.toThrow(/less than a day old/);
  });
});
