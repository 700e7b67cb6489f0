// Status-Server means "I would record your accounting now": a sensor that can reach neither its database nor room in
// its spool does not claim to be alive (a proxy then fails over to another home server), and says so again once it can.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../lib/testing/test-database.ts";
import { updateVpnSettings, VpnSettingsUpdateSchema } from "../lib/radius/vpn-settings.ts";
import {
  buildAccountingRequest,
  buildStatusServer,
  int,
  isValidAccountingResponse,
  str,
} from "./testing/accounting-packet.ts";
import { freePort, sendAndWait, startSensor, waitFor, type SensorProcess } from "./testing/sensor-process.ts";
import { startRelay, type Relay } from "./testing/tcp-relay.ts";
import { parseInput } from "../lib/errors.ts";

const SECRET = "status-server-secret1";
let t: TestDatabase;
let sensor: SensorProcess;
let relay: Relay;

beforeAll(async () => {
  t = await createTestDatabase();
  await updateVpnSettings(t.db, parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: SECRET }), {
    label: "test",
  });
  const pgUrl = new URL(t.url);
  const relayPort = await freePort();
  relay = await startRelay({ host: pgUrl.hostname, port: Number(pgUrl.port) }, { host: "127.0.0.1", port: relayPort });
  const url = new URL(t.url);
  url.port = String(relayPort);
  // A spool too small for one batch: while the database is away, nothing can be made durable.
  sensor = await startSensor({
    DATABASE_URL: url.toString(),
    VPNSIGHT_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-ss-")),
    SPOOL_MAX_MB: "0.0001",
    DB_WRITE_TIMEOUT_MS: "500",
    SENSOR_DETECTIONS: "off",
  });
});
afterAll(async () => {
  await sensor?.stop("SIGKILL");
  await relay?.close();
  await t?.drop();
});

const probe = () => {
  const packet = buildStatusServer(SECRET, [str(32, "proxy")]);
  return sendAndWait(sensor.port, packet, 1000).then((r) => r !== null && isValidAccountingResponse(r, packet, SECRET));
};

describe("Status-Server follows the sensor's ability to record", () => {
  it("is answered while records can be stored, not while neither the database nor the spool can take them, then again", async () => {
    expect(await probe()).toBe(true);
    relay.cut();
    const record = buildAccountingRequest(SECRET, [str(1, "hal@contoso.com"), int(40, 1), str(44, "SS-1")]);
    expect(await sendAndWait(sensor.port, record, 3000)).toBeNull(); // cannot be made durable: not answered
    expect(await probe()).toBe(false);
    expect(
      await sensor.metric("vpnsight_radius_packets_dropped_total", 'reason="not_recording"'),
    ).toBeGreaterThanOrEqual(1);
    relay.restore();
    await waitFor(probe, 15_000, "Status-Server answered again once the database is back");
    const again = await sendAndWait(sensor.port, record, 3000);
    expect(again && isValidAccountingResponse(again, record, SECRET)).toBe(true);
  }, 60_000);
});
