// A multi-homed host: every reply leaves from the address its request was sent to (radclient, like NASes, rejects
// any other), for IPv4 and IPv6, also for an address added after the sensor started (a virtual IP moving here).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../lib/testing/test-database.ts";
import { updateVpnSettings, VpnSettingsUpdateSchema } from "../lib/radius/vpn-settings.ts";
import { freePort, startSensor, waitFor, type SensorProcess } from "./testing/sensor-process.ts";
import { startRelay } from "./testing/tcp-relay.ts";
import { parseInput } from "../lib/errors.ts";

const SECRET = "multi-homed-secret-01";
let t: TestDatabase;

/**
 * radclient (optionally inside a network namespace) → address:port; it accepts only a reply from that address.
 * Run asynchronously: the test process also relays the namespace's database connection.
 */
function radclient(
  address: string,
  port: number,
  id: string,
  netns?: string,
): Promise<{ answered: boolean; output: string }> {
  const target = address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
  const args = ["-r", "2", "-t", "1", target, "acct", SECRET];
  const [cmd, ...rest] = netns ? ["ip", "netns", "exec", netns, "radclient", ...args] : ["radclient", ...args];
  return new Promise((resolve) => {
    const child = spawn(cmd!, rest);
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) =>
      resolve({ answered: code === 0 && output.includes("Received Accounting-Response"), output }),
    );
    child.stdin.end(
      `User-Name = "gus@contoso.com"\nAcct-Session-Id = "${id}"\nAcct-Status-Type = Start\nNAS-IP-Address = 10.9.9.9\n`,
    );
  });
}

beforeAll(async () => {
  t = await createTestDatabase();
  await updateVpnSettings(t.db, parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: SECRET }), {
    label: "test",
  });
});
afterAll(async () => {
  await t?.drop();
});

describe("replies from the address asked", () => {
  it("RADIUS_BIND lists several addresses: 127.0.0.1, 127.0.0.2 and ::1 each answer from themselves", async () => {
    const sensor = await startSensor({
      DATABASE_URL: t.url,
      VPNSIGHT_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-mh-")),
      RADIUS_BIND: "127.0.0.1, 127.0.0.2, ::1",
    });
    try {
      for (const address of ["127.0.0.1", "127.0.0.2", "::1"]) {
        const r = await radclient(address, sensor.port, `MH-${address}`);
        expect(r.answered, r.output).toBe(true);
        expect(r.output).toContain(`from ${address.includes(":") ? `[${address}]` : address}:${sensor.port}`);
      }
      // Not listed: not served.
      expect((await radclient("127.0.0.3", sensor.port, "MH-unlisted")).answered).toBe(false);
    } finally {
      expect(await sensor.stop()).toBe(0);
    }
  });

  it("serves every address of the host by default, and one added after start within 10 s (network namespace)", async () => {
    const ns = `vpnsight-mh-${process.pid}`;
    const ip = (...args: string[]) => {
      const r = spawnSync("ip", args, { encoding: "utf8" });
      if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr}`);
    };
    spawnSync("ip", ["netns", "del", ns]);
    ip("netns", "add", ns);
    // The sensor in the namespace reaches the test's PostgreSQL through a Unix socket (shared file system).
    const socketDir = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-pgsock-"));
    const pgUrl = new URL(t.url);
    const relay = await startRelay(
      { host: pgUrl.hostname, port: Number(pgUrl.port) },
      { path: path.join(socketDir, `.s.PGSQL.${pgUrl.port}`) },
    );
    let sensor: SensorProcess | undefined;
    try {
      ip("-n", ns, "link", "set", "lo", "up");
      ip("-n", ns, "link", "add", "v0", "type", "veth", "peer", "name", "v1");
      ip("-n", ns, "link", "set", "v0", "up");
      ip("-n", ns, "link", "set", "v1", "up");
      ip("-n", ns, "addr", "add", "10.77.0.1/24", "dev", "v0");
      const port = await freePort();
      const url = `postgresql://${pgUrl.username}:${pgUrl.password}@/${pgUrl.pathname.slice(1)}?host=${encodeURIComponent(socketDir)}&port=${pgUrl.port}`;
      sensor = await startSensor(
        {
          DATABASE_URL: url,
          VPNSIGHT_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-mhns-")),
          RADIUS_BIND: "",
          RADIUS_ACCT_PORT: String(port),
          RADSEC_PORT: "0",
        },
        { prefix: ["ip", "netns", "exec", ns] },
      );
      for (const address of ["127.0.0.1", "::1", "10.77.0.1"]) {
        const r = await radclient(address, port, `NS-${address}`, ns);
        expect(r.answered, r.output + sensor.logs()).toBe(true);
      }
      // A virtual IP arrives (IPv4 and IPv6): served within 10 s, from itself.
      ip("-n", ns, "addr", "add", "10.77.0.2/24", "dev", "v0");
      ip("-n", ns, "addr", "add", "2001:db8:77::2/64", "dev", "v0", "nodad");
      const added = Date.now();
      await waitFor(
        async () => (await radclient("10.77.0.2", port, "NS-VIP4", ns)).answered,
        10_000,
        "the new IPv4 address served",
      );
      await waitFor(
        async () => (await radclient("2001:db8:77::2", port, "NS-VIP6", ns)).answered,
        10_000,
        "the new IPv6 address served",
      );
      expect(Date.now() - added).toBeLessThan(10_000);
      expect(sensor.logs()).toContain("serving RADIUS accounting on 10.77.0.2:");
      expect(sensor.logs()).not.toContain("spooling");
      const stored = await t.query<{ id: string }>(
        `SELECT "acctSessionId" AS id FROM "VpnSession" WHERE "acctSessionId" LIKE 'NS-%' ORDER BY 1`,
      );
      expect(stored.map((r) => r.id)).toEqual(["NS-10.77.0.1", "NS-127.0.0.1", "NS-::1", "NS-VIP4", "NS-VIP6"]);
      // /metrics and /healthz answer on loopback only (SENSOR_METRICS_BIND's default), not on the host's other addresses.
      const fetchIn = (address: string) =>
        spawnSync(
          "ip",
          [
            "netns",
            "exec",
            ns,
            process.execPath,
            "-e",
            `fetch("http://${address}:${sensor!.metricsPort}/healthz").then((r) => console.log(r.status), (e) => console.log(e.cause?.code ?? e.message))`,
          ],
          { encoding: "utf8" },
        ).stdout.trim();
      expect(fetchIn("127.0.0.1")).toBe("200");
      expect(fetchIn("10.77.0.1")).toBe("ECONNREFUSED");
      // The address leaves: no longer served.
      ip("-n", ns, "addr", "del", "10.77.0.2/24", "dev", "v0");
      await waitFor(
        async () => sensor!.logs().includes("stopped serving RADIUS accounting on 10.77.0.2"),
        10_000,
        "the address released",
      );
    } finally {
      if (sensor) expect(await sensor.stop()).toBe(0);
      await relay.close();
      spawnSync("ip", ["netns", "del", ns]);
    }
  }, 60_000);
});
