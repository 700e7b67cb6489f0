import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sessionEvent } from "../testing/session-event.ts";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import type { AccountingRecord, SessionEvent } from "./accounting-record.ts";
import { closeStaleSessions, splitIntoRounds, writeAccountingRecords } from "./store.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});
beforeEach(async () => {
  await t.query(`TRUNCATE "VpnSession", "VpnSessionEvent", "Identity"`);
});

const T0 = Date.parse("2026-11-20T08:00:00Z");
function event(kind: SessionEvent["kind"], offsetSeconds: number, extra: Partial<SessionEvent> = {}): SessionEvent {
  return sessionEvent({
    kind,
    sessionKey: "key-1",
    identity: "bob@contoso.com",
    userName: "CONTOSO\\bob",
    acctSessionId: "S1",
    publicIp: "81.2.69.142",
    assignedIp: "10.8.0.2",
    location: {
      kind: "geo",
      countryCode: "GB",
      country: "United Kingdom",
      region: null,
      city: "London",
      latitude: 51.5,
      longitude: -0.1,
    },
    eventTime: new Date(T0 + offsetSeconds * 1000).toISOString(),
    sessionTime: kind === "start" ? null : offsetSeconds,
    inputBytes: String(offsetSeconds * 10),
    outputBytes: String(offsetSeconds * 20),
    terminateCause: kind === "stop" ? "User-Request" : null,
    interimInterval: 300,
    ...extra,
  });
}

/** Accounting-On from NAS 10.0.0.1 `offsetSeconds` after T0. */
const nasRestartAt = (offsetSeconds: number): AccountingRecord => ({
  kind: "nas-on",
  nasKey: "10.0.0.1",
  eventTime: new Date(T0 + offsetSeconds * 1000).toISOString(),
  terminateCause: "NAS-Reboot",
});

const sessions = () =>
  t.query<{
    status: string;
    startedAt: Date;
    endedAt: Date | null;
    inputBytes: string;
    durationSeconds: number | null;
    startInferred: boolean;
    terminateCause: string | null;
  }>(
    `SELECT status, "startedAt", "endedAt", "inputBytes"::text, "durationSeconds", "startInferred", "terminateCause" FROM "VpnSession"`,
  );

describe("session store", () => {
  it("Start → Interim → Stop builds one closed session with its events", async () => {
    await writeAccountingRecords(t.pool, [event("start", 0)], "s1");
    await writeAccountingRecords(t.pool, [event("interim", 300)], "s1");
    await writeAccountingRecords(t.pool, [event("stop", 600)], "s1");
    const [s] = await sessions();
    expect(s).toMatchObject({
      status: "closed",
      inputBytes: "6000",
      durationSeconds: 600,
      startInferred: false,
      terminateCause: "User-Request",
    });
    expect(s!.startedAt.getTime()).toBe(T0);
    expect(s!.endedAt!.getTime()).toBe(T0 + 600_000);
    // The Interim-Update changed nothing an analyst reads: it updated the session, and is no timeline row.
    expect(await t.query(`SELECT kind FROM "VpnSessionEvent" ORDER BY "eventTime"`)).toEqual([
      { kind: "start" },
      { kind: "stop" },
    ]);
  });

  it("an Interim-Update is a timeline row only when it changes the public or assigned IP, comes first, or after a stale gap", async () => {
    const rows = () =>
      t.query<{ kind: string; publicIp: string | null; assignedIp: string | null }>(
        `SELECT kind, "publicIp", "assignedIp" FROM "VpnSessionEvent" ORDER BY "eventTime"`,
      );
    await writeAccountingRecords(t.pool, [event("interim", 60)], "s1"); // the session's first record
    await writeAccountingRecords(t.pool, [event("interim", 120)], "s1");
    await writeAccountingRecords(t.pool, [event("interim", 180, { publicIp: "3.5.140.1" })], "s1"); // roamed
    await writeAccountingRecords(t.pool, [event("interim", 240, { publicIp: "3.5.140.1" })], "s1");
    await writeAccountingRecords(t.pool, [event("interim", 300, { publicIp: null })], "s1"); // says nothing new
    await writeAccountingRecords(
      t.pool,
      [event("interim", 360, { publicIp: "3.5.140.1", assignedIp: "10.8.0.9" })],
      "s1",
    );
    expect(await rows()).toEqual([
      { kind: "interim", publicIp: "81.2.69.142", assignedIp: "10.8.0.2" },
      { kind: "interim", publicIp: "3.5.140.1", assignedIp: "10.8.0.2" },
      { kind: "interim", publicIp: "3.5.140.1", assignedIp: "10.8.0.9" },
    ]);
    // Silent long enough to be closed as stale: the next update is a row (the gap is news), the one after is not.
    await t.query(`UPDATE "VpnSession" SET status = 'stale', "endedAt" = "lastUpdateAt"`);
    await writeAccountingRecords(
      t.pool,
      [event("interim", 5000, { publicIp: "3.5.140.1", assignedIp: "10.8.0.9" })],
      "s1",
    );
    await writeAccountingRecords(
      t.pool,
      [event("interim", 5300, { publicIp: "3.5.140.1", assignedIp: "10.8.0.9" })],
      "s1",
    );
    expect(await rows()).toHaveLength(4);
    // The session holds the counters of the last update, and its first public IP (where it connected from).
    expect(
      await t.query(`SELECT "inputBytes"::text AS "in", "publicIp", "lastPublicIp", status::text FROM "VpnSession"`),
    ).toEqual([{ in: "53000", publicIp: "81.2.69.142", lastPublicIp: "3.5.140.1", status: "open" }]);
  });

  it("gives the same result in any arrival order, retransmissions included", async () => {
    await writeAccountingRecords(
      t.pool,
      [event("stop", 600), event("interim", 300), event("stop", 600), event("start", 0), event("interim", 300)],
      "s1",
    );
    const [s] = await sessions();
    expect(s).toMatchObject({ status: "closed", inputBytes: "6000", durationSeconds: 600, startInferred: false });
    expect(s!.startedAt.getTime()).toBe(T0);
    // Start and Stop; the Interim-Update changed nothing (in order it would not be a row either).
    expect(await t.query(`SELECT count(*)::int AS n FROM "VpnSessionEvent"`)).toEqual([{ n: 2 }]);
    expect(await t.query(`SELECT count(*)::int AS n FROM "VpnSession"`)).toEqual([{ n: 1 }]);
  });

  it("stores a retransmission once even when its time differs (no Event-Timestamp: the receive time), also from two sensors at once", async () => {
    // As a NAS without Event-Timestamp retransmits: the same record, a few seconds later by the receive time.
    const later = (e: SessionEvent, seconds: number): SessionEvent => ({
      ...e,
      eventTime: new Date(Date.parse(e.eventTime) + seconds * 1000).toISOString(),
    });
    const roamed = event("interim", 300, { publicIp: "3.5.140.1" });
    const records = [event("start", 0), roamed, event("stop", 600)];
    for (const record of records) {
      // Each record four times: two sensors, each with a retransmission, in parallel.
      await Promise.all(
        [0, 2, 3, 5].map((delay, i) => writeAccountingRecords(t.pool, [later(record, delay)], `s${i % 2}`)),
      );
    }
    await writeAccountingRecords(t.pool, [later(roamed, 9)], "s1"); // after the Stop
    expect(await t.query(`SELECT kind, "publicIp" FROM "VpnSessionEvent" ORDER BY "eventTime", kind DESC`)).toEqual([
      { kind: "start", publicIp: "81.2.69.142" },
      { kind: "interim", publicIp: "3.5.140.1" },
      { kind: "stop", publicIp: "81.2.69.142" },
    ]);
    expect(await t.query(`SELECT count(*)::int AS n FROM "VpnSession"`)).toEqual([{ n: 1 }]);
  });

  it("a late Interim-Update (older than the session's last update) is no timeline row, whatever its address", async () => {
    await writeAccountingRecords(t.pool, [event("start", 0), event("interim", 600)], "s1");
    await writeAccountingRecords(t.pool, [event("interim", 300, { publicIp: "3.5.140.1" })], "s1");
    expect(await t.query(`SELECT kind FROM "VpnSessionEvent" ORDER BY "eventTime"`)).toEqual([{ kind: "start" }]);
    expect(await t.query(`SELECT "lastPublicIp" FROM "VpnSession"`)).toEqual([{ lastPublicIp: "81.2.69.142" }]);
  });

  it("a Stop after Accounting-On closed the session is still on the timeline, once", async () => {
    await writeAccountingRecords(t.pool, [event("start", 0)], "s1");
    await writeAccountingRecords(t.pool, [nasRestartAt(50)], "s1");
    await writeAccountingRecords(t.pool, [event("stop", 40)], "s1");
    await writeAccountingRecords(t.pool, [event("stop", 40)], "s1");
    expect(await t.query(`SELECT kind FROM "VpnSessionEvent" ORDER BY "eventTime"`)).toEqual([
      { kind: "start" },
      { kind: "stop" },
    ]);
  });

  it("a Stop without a Start creates the session with start = event time − session time", async () => {
    await writeAccountingRecords(t.pool, [event("stop", 900)], "s1");
    const [s] = await sessions();
    expect(s).toMatchObject({ status: "closed", startInferred: true });
    expect(s!.startedAt.getTime()).toBe(T0);
  });

  it("a late Interim never reopens a closed session nor lowers its counters", async () => {
    await writeAccountingRecords(t.pool, [event("start", 0), event("stop", 600)], "s1");
    await writeAccountingRecords(t.pool, [event("interim", 300)], "s1");
    expect((await sessions())[0]).toMatchObject({ status: "closed", inputBytes: "6000" });
  });

  it("Accounting-On closes every open session of that NAS at the event time", async () => {
    await writeAccountingRecords(
      t.pool,
      [event("start", 0), event("start", 0, { sessionKey: "key-2", nasKey: "10.0.0.2" })],
      "s1",
    );
    await writeAccountingRecords(t.pool, [nasRestartAt(50)], "s1");
    const rows = await t.query<{ nasKey: string; status: string; terminateCause: string | null; endedAt: Date | null }>(
      `SELECT "nasKey", status, "terminateCause", "endedAt" FROM "VpnSession" ORDER BY "nasKey"`,
    );
    expect(rows[0]).toMatchObject({ nasKey: "10.0.0.1", status: "closed", terminateCause: "NAS-Reboot" });
    expect(rows[0]!.endedAt!.getTime()).toBe(T0 + 50_000);
    expect(rows[1]).toMatchObject({ nasKey: "10.0.0.2", status: "open", terminateCause: null });
  });

  it("the sweeper closes sessions silent for 3 × their interim interval as stale", async () => {
    await writeAccountingRecords(t.pool, [event("start", 0)], "s1");
    expect(await closeStaleSessions(t.pool, 24)).toBe(1);
    expect((await sessions())[0]).toMatchObject({ status: "stale" });
    // A later Interim shows it was alive after all.
    await writeAccountingRecords(t.pool, [event("interim", 5000)], "s1");
    expect((await sessions())[0]).toMatchObject({ status: "open", endedAt: null });
  });

  it("updates sessions (Interim-Updates) and the identity summary in place, so a busy sensor does not bloat them", async () => {
    // One connection, so its statistics can be flushed on demand before they are read.
    const pool = new pg.Pool({ connectionString: t.url, max: 1 });
    const updates = () =>
      t.query<{ relname: string; upd: number; hot: number }>(
        `SELECT relname, n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot FROM pg_stat_user_tables WHERE relname IN ('VpnSession', 'Identity') ORDER BY relname`,
      );
    try {
      await writeAccountingRecords(pool, [event("start", 0)], "s1");
      await pool.query("SELECT pg_stat_force_next_flush()");
      const before = await updates();
      for (let i = 1; i <= 50; i++) await writeAccountingRecords(pool, [event("interim", i * 60)], "s1");
      await pool.query("SELECT pg_stat_force_next_flush()");
      const after = await updates();
      for (const [i, table] of after.entries()) {
        const updated = table.upd - before[i]!.upd;
        expect(updated, table.relname).toBe(50);
        // Page pruning may now and then need a new page; nearly all must be HOT.
        expect(table.hot - before[i]!.hot, `${table.relname} HOT updates`).toBeGreaterThanOrEqual(45);
      }
    } finally {
      await pool.end();
    }
  });

  it("stores a record that arrives more than DETECTION_WINDOW_DAYS after its event time, but does not queue it for judging", async () => {
    const now = new Date();
    const longAgo = new Date(now.getTime() - 60 * 86_400_000).toISOString();
    const late = sessionEvent({
      sessionKey: "late-1",
      identity: "late@contoso.com",
      eventTime: longAgo,
      receivedAt: now.toISOString(),
    });
    const onTime = sessionEvent({
      sessionKey: "ontime-1",
      identity: "late@contoso.com",
      eventTime: new Date(now.getTime() - 86_400_000).toISOString(),
      receivedAt: now.toISOString(),
    });
    await writeAccountingRecords(t.pool, [late, onTime], "s1");
    const rows = await t.query<{ sessionKey: string; detectedAt: Date | null }>(
      `SELECT "sessionKey", "detectedAt" FROM "VpnSession" ORDER BY 1`,
    );
    expect(rows).toEqual([
      { sessionKey: "late-1", detectedAt: now }, // recorded, marked judged at its arrival: no alert "as now"
      { sessionKey: "ontime-1", detectedAt: null }, // waits for the detector
    ]);
    expect(await t.query(`SELECT count(*)::int AS n FROM "VpnSessionEvent"`)).toEqual([{ n: 2 }]);
  });

  it("splits a batch so each statement touches a session once", () => {
    const rounds = splitIntoRounds([
      event("start", 0),
      event("interim", 1),
      event("start", 0, { sessionKey: "key-0" }),
      event("stop", 2),
    ]);
    expect(rounds.map((r) => r.map((e) => `${e.sessionKey}:${e.kind}`))).toEqual([
      ["key-0:start", "key-1:start"],
      ["key-1:interim"],
      ["key-1:stop"],
    ]);
  });
});
