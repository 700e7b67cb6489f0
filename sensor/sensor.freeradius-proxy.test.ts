// Behind a FreeRADIUS 3.2 accounting proxy (Debian's, configured like its stock proxy.conf with
// status_check = status-server): after the sensor is silent long enough for the proxy to mark it dead, its
// Status-Server probes are answered and the proxy brings it back (it never revives a home server that ignores them).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../lib/testing/test-database.ts";
import { updateVpnSettings, VpnSettingsUpdateSchema } from "../lib/radius/vpn-settings.ts";
import { startFreeradiusProxy, type Peer } from "../lib/testing/radius-peers.ts";
import { freePort, startSensor, waitFor, type SensorProcess } from "./testing/sensor-process.ts";
import { parseInput } from "../lib/errors.ts";

const SENSOR_SECRET = "proxy-to-sensor-0001";
const NAS_SECRET = "nas-to-proxy-000001";
const admin = { label: "user:test" };
// FreeRADIUS 3.2's own log lines.
const DEAD = /Marking home server \S+ port \d+ as dead/;
const ALIVE = /Marking home server \S+ port \d+ alive/;
let t: TestDatabase;
let sensor: SensorProcess;
let proxy: Peer;
let proxyPort: number;

/** radclient → the proxy; true when the proxy relayed an Accounting-Response. */
function sendThroughProxy(acctSessionId: string): boolean {
  const packet = `User-Name = "carol@contoso.com"\nNAS-IP-Address = 10.1.0.1\nAcct-Session-Id = "${acctSessionId}"\nAcct-Status-Type = Start\nCalling-Station-Id = "81.2.69.160"\n`;
  const result = spawnSync("radclient", ["-r", "1", "-t", "3", `127.0.0.1:${proxyPort}`, "acct", NAS_SECRET], {
    input: packet,
    encoding: "utf8",
  });
  return result.status === 0 && result.stdout.includes("Received Accounting-Response");
}
const stored = async (acctSessionId: string) =>
  (
    await t.query<{ n: number }>(`SELECT count(*)::int AS n FROM "VpnSession" WHERE "acctSessionId" = $1`, [
      acctSessionId,
    ])
  )[0]!.n;

beforeAll(async () => {
  t = await createTestDatabase();
  await updateVpnSettings(
    t.db,
    parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: SENSOR_SECRET }),
    admin,
  );
  sensor = await startSensor({
    DATABASE_URL: t.url,
    VPNSIGHT_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-frproxy-")),
  });
  proxyPort = await freePort();
  proxy = await startFreeradiusProxy({
    dir: fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-freeradius-")),
    listenPort: proxyPort,
    clientSecret: NAS_SECRET,
    home: { proto: "udp", port: sensor.port, secret: SENSOR_SECRET },
    // As the drill: status checks every 6 s, alive after 3 answers; short windows so "dead" comes quickly.
    timers: { responseWindow: 1, zombiePeriod: 2, checkInterval: 6, checkTimeout: 2, numAnswersToAlive: 3 },
  });
});
afterAll(async () => {
  await proxy?.stop();
  await sensor?.stop();
  await t?.drop();
});

describe("behind a FreeRADIUS proxy with status_check = status-server", () => {
  it("stores proxied records, and comes back alive after 10 s of silence: the proxy's Status-Server probes are answered", async () => {
    expect(sendThroughProxy("FR-1"), proxy.logs().slice(-3000)).toBe(true);
    expect(await stored("FR-1")).toBe(1);

    // Silent for 10 s: accounting disabled, so records and probes alike go unanswered.
    await updateVpnSettings(t.db, parseInput(VpnSettingsUpdateSchema, { enabled: false }), admin);
    await new Promise((r) => setTimeout(r, 1500)); // the sensor's LISTEN picks the change up
    const silentFrom = Date.now();
    while (Date.now() - silentFrom < 10_000) sendThroughProxy(`FR-SILENT-${Date.now()}`);
    await waitFor(async () => DEAD.test(proxy.logs()), 20_000, "the proxy to mark the sensor dead");
    expect(await sensor.metric("vpnsight_radius_packets_dropped_total", 'reason="disabled"')).toBeGreaterThan(0);

    await updateVpnSettings(t.db, parseInput(VpnSettingsUpdateSchema, { enabled: true }), admin);
    const enabledAt = Date.now();
    await waitFor(
      async () => ALIVE.test(proxy.logs().slice(proxy.logs().search(DEAD))),
      30_000,
      "the proxy to mark the sensor alive",
    );
    expect(Date.now() - enabledAt).toBeLessThan(30_000);
    expect(await sensor.metric("vpnsight_radius_status_server_total", 'transport="udp"')).toBeGreaterThanOrEqual(3);

    if (process.env.SHOW_PEER_LOGS) console.log(proxy.logs());
    expect(sendThroughProxy("FR-2"), proxy.logs().slice(-3000)).toBe(true);
    expect(await stored("FR-2")).toBe(1);
  }, 120_000);
});
