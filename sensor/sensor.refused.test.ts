// A record PostgreSQL cannot take must never stop the packet path: values a NAS may send that text or
// the columns cannot hold are made storable, and a record the database still refuses is set apart —
// not answered when live, kept in spool/refused.jsonl when it was answered from the spool.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../lib/testing/test-database.ts";
import { sessionEvent } from "../lib/testing/session-event.ts";
import { updateVpnSettings, VpnSettingsUpdateSchema } from "../lib/radius/vpn-settings.ts";
import { DurableWriter } from "./durable-writer.ts";
import type { AccountingRecord } from "../lib/sessions/accounting-record.ts";
import { REFUSED_FILE, Spool } from "./spool.ts";
import { isRefusedByDatabase, writeAccountingRecords } from "../lib/sessions/store.ts";
import { buildAccountingRequest, int, ipv4, isValidAccountingResponse, str } from "./testing/accounting-packet.ts";
import { sendAndWait, startSensor, type SensorProcess } from "./testing/sensor-process.ts";
import { parseInput } from "../lib/errors.ts";

const SECRET = "refused-secret-000001";
let t: TestDatabase;
let sensor: SensorProcess;

beforeAll(async () => {
  t = await createTestDatabase();
  await updateVpnSettings(t.db, parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: SECRET }), {
    label: "user:test",
  });
  // A rule this test database alone has, so that PostgreSQL refuses one particular record.
  await t.query(`ALTER TABLE "VpnSession" ADD CONSTRAINT test_refuse CHECK ("acctSessionId" NOT LIKE 'REFUSE%')`);
  sensor = await startSensor({
    DATABASE_URL: t.url,
    VPNSIGHT_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-refused-")),
  });
});
afterAll(async () => {
  expect(await sensor.stop()).toBe(0);
  await t.drop();
});

const start = (user: string, acctSessionId: string, extra: ReturnType<typeof int>[] = []) =>
  buildAccountingRequest(
    SECRET,
    [str(1, user), int(40, 1), str(44, acctSessionId), ipv4(4, "10.0.0.9"), str(31, "81.2.69.142"), ...extra],
    {
      identifier: Math.floor(Math.random() * 256),
    },
  );
const answered = async (packet: Buffer) => {
  const reply = await sendAndWait(sensor.port, packet, 2500);
  return reply !== null && isValidAccountingResponse(reply, packet, SECRET);
};
const sessions = (like: string) =>
  t.query<{ acctSessionId: string; userName: string; interimInterval: number | null }>(
    `SELECT "acctSessionId", "userName", "interimInterval" FROM "VpnSession" WHERE "acctSessionId" LIKE $1 ORDER BY 1`,
    [like],
  );

describe("values PostgreSQL cannot take", () => {
  it("a NUL inside a text attribute and out-of-range numbers are stored as storable values, and what follows is stored too", async () => {
    expect(await answered(start("eve\0admin@contoso.com", "NUL\0-1", [int(85, 0xffffffff)]))).toBe(true);
    expect(await answered(start("frank@contoso.com", "NUL-2"))).toBe(true);
    expect(await sessions("NUL%")).toEqual([
      { acctSessionId: "NUL-2", userName: "frank@contoso.com", interimInterval: null },
      { acctSessionId: "NUL\uFFFD-1", userName: "eve\uFFFDadmin@contoso.com", interimInterval: null },
    ]);
    expect(await sensor.metric("vpnsight_records_durable_total", 'target="spool"')).toBe(0);
  });

  it("a record the database refuses is not answered and counted; records sent with it are answered and stored, nothing is spooled", async () => {
    const results = await Promise.all(
      [start("gina@contoso.com", "OK-1"), start("hal@contoso.com", "REFUSE-1"), start("ivan@contoso.com", "OK-2")].map(
        answered,
      ),
    );
    expect(results).toEqual([true, false, true]);
    expect((await sessions("OK-%")).map((s) => s.acctSessionId)).toEqual(["OK-1", "OK-2"]);
    expect(await sessions("REFUSE%")).toEqual([]);
    expect(
      await sensor.metric("vpnsight_radius_packets_dropped_total", 'reason="refused_by_database"'),
    ).toBeGreaterThanOrEqual(1);
    expect(await sensor.metric("vpnsight_records_durable_total", 'target="spool"')).toBe(0);
    expect(await answered(start("judy@contoso.com", "OK-3"))).toBe(true);
    expect(sensor.logs()).toContain("the database refused a record: not answered");
  });

  it("replaying the spool sets a refused record aside in refused.jsonl and stores the rest; the spool empties", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-refused-spool-"));
    const spool = new Spool(dir, 1024 * 1024);
    const records = ["SPOOL-1", "REFUSE-2", "SPOOL-2"].map((id) =>
      sessionEvent({ sessionKey: `key-${id}`, identity: "kim@contoso.com", acctSessionId: id }),
    );
    await spool.append(records); // answered earlier, while the database was away
    const pool = new pg.Pool({ connectionString: t.url, max: 2 });
    const refused: [AccountingRecord, boolean][] = [];
    const writer = new DurableWriter({
      writeToDatabase: (batch) => writeAccountingRecords(pool, batch, "test"),
      databaseReachable: async () => true,
      isRefused: isRefusedByDatabase,
      onRefused: (record, _err, wasAnswered) => refused.push([record, wasAnswered]),
      spool,
      maxBatch: 500,
      maxConcurrentBatches: 1,
      maxDelayMs: 1,
      writeTimeoutMs: 5000,
      log: () => {},
    });
    expect(writer.mode).toBe("spool");
    await writer.replay();
    expect(writer.mode).toBe("database");
    expect(spool.isEmpty).toBe(true);
    expect((await sessions("SPOOL-%")).map((s) => s.acctSessionId)).toEqual(["SPOOL-1", "SPOOL-2"]);
    expect(refused.map(([r, wasAnswered]) => [(r as { acctSessionId: string }).acctSessionId, wasAnswered])).toEqual([
      ["REFUSE-2", true],
    ]);
    const kept = fs
      .readFileSync(path.join(dir, REFUSED_FILE), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(kept).toEqual([records[1]]);
    await writer.close();
    await pool.end();
  });
});
