// The sensor as a NAS meets it: real UDP packets from FreeRADIUS' radclient.
import { spawnSync } from "node:child_process";
import dgram from "node:dgram";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../lib/testing/test-database.ts";
import { createRadiusClient, deleteRadiusClient, CreateRadiusClientSchema } from "../lib/radius/radius-clients.ts";
import { updateVpnSettings, VpnSettingsUpdateSchema } from "../lib/radius/vpn-settings.ts";
import { buildAccountingRequest, int, ipv4, isValidAccountingResponse, str } from "./testing/accounting-packet.ts";
import { sendAndWait, startSensor, waitFor, type SensorProcess } from "./testing/sensor-process.ts";
import { parseInput } from "../lib/errors.ts";

const SECRET = "radclient-secret-0001";
const admin = { label: "user:test" };
let t: TestDatabase;
let sensor: SensorProcess;
let dataDir: string;

function radclient(packets: string, secret = SECRET, command = "acct"): { ok: boolean; output: string } {
  const result = spawnSync("radclient", ["-x", "-r", "1", "-t", "1", `127.0.0.1:${sensor.port}`, command, secret], {
    input: packets,
    encoding: "utf8",
  });
  return { ok: result.status === 0, output: result.stdout + result.stderr };
}

const sessionRow = (acctSessionId: string) =>
  t.query<Record<string, unknown>>(
    `SELECT identity, "userName", vendor, "publicIp", "assignedIp", "countryCode", city, status, "inputBytes"::text, "outputBytes"::text, "terminateCause", "durationSeconds"
     FROM "VpnSession" WHERE "acctSessionId" = $1`,
    [acctSessionId],
  );

beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.domainMapping.create({ data: { netbiosDomain: "contoso", upnSuffix: "contoso.com" } });
  await updateVpnSettings(t.db, parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: SECRET }), admin);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-sensor-"));
  sensor = await startSensor({ DATABASE_URL: t.url, VPNSIGHT_DATA_DIR: dataDir, SENSOR_ID: "test-sensor" });
});
afterAll(async () => {
  const code = await sensor.stop();
  expect(code, sensor.logs().slice(-2000)).toBe(0);
  expect(sensor.logs()).not.toContain(SECRET);
  await t.drop();
});

const VENDOR_SHAPES = [
  {
    vendor: "cisco_asa",
    id: "ASA-0001",
    attrs: `Calling-Station-Id = "00-50-56-aa-bb-cc"\nCisco-AVPair = "ip:source-ip=81.2.69.160"\nAttr-26.3076.146 = 0x52656d6f7465\nFramed-IP-Address = 10.8.0.5`,
    publicIp: "81.2.69.160",
    assignedIp: "10.8.0.5",
  },
  {
    vendor: "microsoft",
    id: "RRAS-0001",
    attrs: `Calling-Station-Id = "81.2.69.142"\nTunnel-Client-Endpoint:0 = "81.2.69.1"\nMS-RAS-Client-Name = "LAPTOP-7"\nFramed-IP-Address = 10.9.0.5`,
    publicIp: "81.2.69.142",
    assignedIp: "10.9.0.5",
  },
  {
    vendor: "f5",
    id: "F5-0001",
    attrs: `Calling-Station-Id = "81.2.69.9"\nTunnel-Client-Endpoint:0 = "2a00:1450:4001:80b::200e"\nAttr-26.3375.12 = 0x696e666f\nFramed-IPv6-Address = 2001:db8::9`,
    publicIp: "2a00:1450:4001:80b::200e",
    assignedIp: "2001:db8::9",
  },
  {
    vendor: "checkpoint",
    id: "CP-0001",
    attrs: `Tunnel-Client-Endpoint:0 = "8.8.8.8"\nAttr-26.2620.229 = 0x76706e`,
    publicIp: "8.8.8.8",
    assignedIp: null,
  },
] as const;

describe("sensor with radclient", () => {
  it.each(VENDOR_SHAPES)("records a $vendor session from Start, Interim-Update and Stop", async (shape) => {
    const common = `User-Name = "CONTOSO\\\\Bob"\nNAS-IP-Address = 10.0.0.1\nAcct-Session-Id = "${shape.id}"\n${shape.attrs}`;
    const start = radclient(`${common}\nAcct-Status-Type = Start\nEvent-Timestamp = 1795000000\n`);
    expect(start.ok, start.output).toBe(true);
    expect(start.output).toContain("Received Accounting-Response");
    expect(
      radclient(
        `${common}\nAcct-Status-Type = Interim-Update\nAcct-Session-Time = 300\nAcct-Input-Octets = 1000\nAcct-Output-Octets = 2000\nEvent-Timestamp = 1795000300\n`,
      ).ok,
    ).toBe(true);
    // The Interim-Update (same addresses) updated the session; it is no timeline row of its own.
    expect((await sessionRow(shape.id))[0]).toMatchObject({
      inputBytes: "1000",
      outputBytes: "2000",
      durationSeconds: 300,
    });
    expect(
      radclient(
        `${common}\nAcct-Status-Type = Stop\nAcct-Session-Time = 600\nAcct-Input-Octets = 5000\nAcct-Input-Gigawords = 1\nAcct-Output-Octets = 9000\nAcct-Terminate-Cause = Idle-Timeout\nEvent-Timestamp = 1795000600\n`,
      ).ok,
    ).toBe(true);
    const rows = await sessionRow(shape.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      identity: "bob@contoso.com",
      userName: "CONTOSO\\Bob",
      vendor: shape.vendor,
      publicIp: shape.publicIp,
      assignedIp: shape.assignedIp,
      status: "closed",
      inputBytes: String(2 ** 32 + 5000),
      outputBytes: "9000",
      terminateCause: "Idle-Timeout",
      durationSeconds: 600,
    });
    expect(rows[0]!.countryCode).toMatch(/^[A-Z]{2}$/);
    expect(
      await t.query(
        `SELECT kind FROM "VpnSessionEvent" e JOIN "VpnSession" s ON s.id = e."sessionId" WHERE s."acctSessionId" = $1 ORDER BY "eventTime"`,
        [shape.id],
      ),
    ).toEqual([{ kind: "start" }, { kind: "stop" }]);
  });

  it("silently drops a wrong secret and counts it", async () => {
    const before = await sensor.metric("vpnsight_radius_packets_dropped_total", 'reason="bad_authenticator"');
    const result = radclient(
      `User-Name = "eve"\nAcct-Status-Type = Start\nAcct-Session-Id = "EVIL-1"\n`,
      "not-the-secret-000",
    );
    expect(result.ok).toBe(false);
    expect(await sensor.metric("vpnsight_radius_packets_dropped_total", 'reason="bad_authenticator"')).toBe(before + 1);
    expect(await sessionRow("EVIL-1")).toEqual([]);
  });

  it("copies two Proxy-State attributes into the reply, in order, under a valid authenticator (radclient checks it)", async () => {
    const result = radclient(
      `User-Name = "gina"\nAcct-Status-Type = Start\nAcct-Session-Id = "PS-1"\nProxy-State = 0x70726f78792d6f6e65\nNAS-Identifier = "n1"\nProxy-State = 0x0002ff\n`,
    );
    expect(result.ok, result.output).toBe(true);
    const reply = result.output.slice(result.output.indexOf("Received Accounting-Response"));
    expect(reply).toMatch(/Proxy-State = 0x70726f78792d6f6e65\s+Proxy-State = 0x0002ff/);
  });

  it("answers radclient's Status-Server (RFC 5997) only with the right secret, and counts the probes", async () => {
    const before = await sensor.metric("vpnsight_radius_status_server_total", 'transport="udp"');
    const probe = radclient(`Message-Authenticator = 0x00\n`, SECRET, "status");
    expect(probe.ok, probe.output).toBe(true);
    expect(probe.output).toContain("Received Accounting-Response");
    expect(await sensor.metric("vpnsight_radius_status_server_total", 'transport="udp"')).toBe(before + 1);
    const forged = radclient(`Message-Authenticator = 0x00\n`, "not-the-secret-000", "status");
    expect(forged.ok).toBe(false);
    expect(await sensor.metric("vpnsight_radius_status_server_total", 'transport="udp"')).toBe(before + 1);
    expect(
      await sensor.metric("vpnsight_radius_packets_dropped_total", 'reason="bad_message_authenticator"'),
    ).toBeGreaterThanOrEqual(1);
  });

  it("times each answer from arrival to Accounting-Response (answered requests only)", async () => {
    const before = await sensor.metric("vpnsight_radius_answer_seconds_count");
    expect(radclient(`User-Name = "frank"\nAcct-Status-Type = Start\nAcct-Session-Id = "TIMED-1"\n`).ok).toBe(true);
    expect(
      radclient(`User-Name = "eve"\nAcct-Status-Type = Start\nAcct-Session-Id = "EVIL-2"\n`, "not-the-secret-000").ok,
    ).toBe(false);
    expect(await sensor.metric("vpnsight_radius_answer_seconds_count")).toBe(before + 1);
    expect(await sensor.metric("vpnsight_radius_answer_seconds_bucket", 'le="+Inf"')).toBe(before + 1);
  });

  it("Accounting-On closes the open sessions of that NAS", async () => {
    expect(
      radclient(
        `User-Name = "carol"\nAcct-Status-Type = Start\nAcct-Session-Id = "OPEN-1"\nNAS-IP-Address = 10.0.0.2\n`,
      ).ok,
    ).toBe(true);
    expect((await sessionRow("OPEN-1"))[0]).toMatchObject({ status: "open" });
    expect(radclient(`Acct-Status-Type = Accounting-On\nNAS-IP-Address = 10.0.0.2\n`).ok).toBe(true);
    expect((await sessionRow("OPEN-1"))[0]).toMatchObject({ status: "closed", terminateCause: "NAS-Reboot" });
  });

  it("a retransmitted packet is answered each time and stored once", async () => {
    const packet = buildAccountingRequest(SECRET, [str(1, "dave"), int(40, 1), str(44, "RETX-1"), int(41, 0)], {
      identifier: 9,
    });
    const answers = await Promise.all([sendAndWait(sensor.port, packet), sendAndWait(sensor.port, packet)]);
    const later = await sendAndWait(sensor.port, packet);
    const resent = buildAccountingRequest(SECRET, [str(1, "dave"), int(40, 1), str(44, "RETX-1"), int(41, 5)], {
      identifier: 10,
    });
    expect(isValidAccountingResponse((await sendAndWait(sensor.port, resent))!, resent, SECRET)).toBe(true);
    expect(later && isValidAccountingResponse(later, packet, SECRET)).toBe(true);
    expect(answers.some((a) => a && isValidAccountingResponse(a, packet, SECRET))).toBe(true);
    expect(await t.query(`SELECT count(*)::int AS n FROM "VpnSession" WHERE "acctSessionId" = 'RETX-1'`)).toEqual([
      { n: 1 },
    ]);
    expect(
      await t.query(
        `SELECT count(*)::int AS n FROM "VpnSessionEvent" e JOIN "VpnSession" s ON s.id = e."sessionId" WHERE s."acctSessionId" = 'RETX-1'`,
      ),
    ).toEqual([{ n: 1 }]);
  });

  it("picks up portal changes live: disable, rotation with grace, RADIUS client list", async () => {
    const probe = (secret: string, id: string) =>
      sendAndWait(sensor.port, buildAccountingRequest(secret, [str(1, "erin"), int(40, 1), str(44, id)]), 800);

    await updateVpnSettings(t.db, parseInput(VpnSettingsUpdateSchema, { enabled: false }), admin);
    await waitFor(async () => (await probe(SECRET, "LIVE-0")) === null, 3000, "disabled");
    expect(await sensor.metric("vpnsight_radius_packets_dropped_total", 'reason="disabled"')).toBeGreaterThan(0);

    const rotated = "radclient-secret-0002";
    await updateVpnSettings(
      t.db,
      parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: rotated, rotationGraceHours: 1 }),
      admin,
    );
    await waitFor(async () => (await probe(rotated, "LIVE-1")) !== null, 3000, "new secret accepted");
    expect(await probe(SECRET, "LIVE-2")).not.toBeNull(); // previous secret, within the grace period

    const other = await createRadiusClient(
      t.db,
      parseInput(CreateRadiusClientSchema, { name: "elsewhere", address: "192.0.2.0/24" }),
      admin,
    );
    await waitFor(async () => (await probe(rotated, "LIVE-3")) === null, 3000, "unknown client dropped");
    expect(await sensor.metric("vpnsight_radius_packets_dropped_total", 'reason="unknown_client"')).toBeGreaterThan(0);
    const local = await createRadiusClient(
      t.db,
      parseInput(CreateRadiusClientSchema, {
        name: "loopback",
        address: "127.0.0.0/8",
        vendor: "f5",
        sharedSecret: "loopback-own-secret1",
        requireMessageAuthenticator: true,
      }),
      admin,
    );
    const withMa = (secret: string, id: string) =>
      sendAndWait(
        sensor.port,
        buildAccountingRequest(secret, [str(1, "erin"), int(40, 1), str(44, id)], { messageAuthenticator: true }),
        800,
      );
    await waitFor(async () => (await withMa("loopback-own-secret1", "LIVE-4")) !== null, 3000, "client's own secret");
    expect(await probe("loopback-own-secret1", "LIVE-5")).toBeNull(); // Message-Authenticator required
    expect(await withMa(rotated, "LIVE-6")).toBeNull(); // the global secret no longer applies to this client
    expect((await sessionRow("LIVE-4"))[0]).toMatchObject({ vendor: "f5" });
    await deleteRadiusClient(t.db, other.id, admin);
    await deleteRadiusClient(t.db, local.id, admin);
  });

  it("one RADIUS client cannot close or take over another client's NAS sessions by naming its NAS-IP-Address", async () => {
    const a = await createRadiusClient(
      t.db,
      parseInput(CreateRadiusClientSchema, {
        name: "client-a",
        address: "127.0.0.1",
        sharedSecret: "client-a-secret-0001",
      }),
      admin,
    );
    const b = await createRadiusClient(
      t.db,
      parseInput(CreateRadiusClientSchema, {
        name: "client-b",
        address: "127.0.0.2",
        sharedSecret: "client-b-secret-0001",
      }),
      admin,
    );
    try {
      // Client B (source 127.0.0.2) runs a session on its NAS 10.5.0.1.
      const fromB = (packet: Buffer) =>
        new Promise<Buffer | null>((resolve) => {
          const socket = dgram.createSocket("udp4");
          const timer = setTimeout(() => (socket.close(), resolve(null)), 1500);
          socket.on("message", (m) => (clearTimeout(timer), socket.close(), resolve(m)));
          socket.bind(0, "127.0.0.2", () => socket.send(packet, sensor.port, "127.0.0.1"));
        });
      const bStart = buildAccountingRequest("client-b-secret-0001", [
        str(1, "victim@contoso.com"),
        int(40, 1),
        str(44, "NAS-B-1"),
        ipv4(4, "10.5.0.1"),
      ]);
      await waitFor(async () => (await fromB(bStart)) !== null, 5000, "client B accepted");
      expect((await sessionRow("NAS-B-1"))[0]).toMatchObject({ status: "open" });

      // Client A (radclient from 127.0.0.1, its own valid secret) names B's NAS: Accounting-Off, then a Stop of B's session.
      const off = radclient(`Acct-Status-Type = Accounting-Off\nNAS-IP-Address = 10.5.0.1\n`, "client-a-secret-0001");
      expect(off.ok, off.output).toBe(true);
      const stop = radclient(
        `User-Name = "victim@contoso.com"\nAcct-Status-Type = Stop\nAcct-Session-Id = "NAS-B-1"\nNAS-IP-Address = 10.5.0.1\nAcct-Session-Time = 5\n`,
        "client-a-secret-0001",
      );
      expect(stop.ok, stop.output).toBe(true);
      const rows = await t.query<{ status: string; nasKey: string }>(
        `SELECT status, "nasKey" FROM "VpnSession" WHERE "acctSessionId" = 'NAS-B-1' ORDER BY status::text`,
      );
      expect(rows).toEqual([
        { status: "closed", nasKey: `client:${a.id}|10.5.0.1` }, // A's own record, filed under A
        { status: "open", nasKey: `client:${b.id}|10.5.0.1` }, // B's session untouched
      ]);

      // B's own Accounting-Off closes B's sessions.
      const bOff = buildAccountingRequest("client-b-secret-0001", [int(40, 8), ipv4(4, "10.5.0.1")]);
      expect(await fromB(bOff)).not.toBeNull();
      expect(await t.query(`SELECT status FROM "VpnSession" WHERE "nasKey" = $1`, [`client:${b.id}|10.5.0.1`])).toEqual(
        [{ status: "closed" }],
      );
    } finally {
      await deleteRadiusClient(t.db, a.id, admin);
      await deleteRadiusClient(t.db, b.id, admin);
      await new Promise((r) => setTimeout(r, 1500));
    }
  });

  it("two sensors on one database (HA) record a packet sent to both once", async () => {
    const second = await startSensor({
      DATABASE_URL: t.url,
      VPNSIGHT_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-sensor2-")),
      SENSOR_ID: "test-sensor-2",
    });
    try {
      const packet = buildAccountingRequest(SECRET, [
        str(1, "frank@contoso.com"),
        int(40, 1),
        str(44, "HA-1"),
        str(31, "81.2.69.142"),
      ]);
      const [a, b] = await Promise.all([sendAndWait(sensor.port, packet), sendAndWait(second.port, packet)]);
      expect(a && isValidAccountingResponse(a, packet, SECRET)).toBe(true);
      expect(b && isValidAccountingResponse(b, packet, SECRET)).toBe(true);
      expect(await t.query(`SELECT count(*)::int AS n FROM "VpnSession" WHERE "acctSessionId" = 'HA-1'`)).toEqual([
        { n: 1 },
      ]);
      expect(
        await t.query(
          `SELECT count(*)::int AS n FROM "VpnSessionEvent" e JOIN "VpnSession" s ON s.id = e."sessionId" WHERE s."acctSessionId" = 'HA-1'`,
        ),
      ).toEqual([{ n: 1 }]);
    } finally {
      await second.stop();
    }
  });

  it("writes a heartbeat with its counters for the sensors panel", async () => {
    const rows = await waitFor(async () => {
      const r = await t.query<{ sensorId: string; accepted: string; dropped: Record<string, number> }>(
        `SELECT "sensorId", accepted::text, dropped FROM "SensorStatus"`,
      );
      return r.length ? r : null;
    });
    expect(rows.map((r) => r.sensorId)).toContain("test-sensor");
    expect(Object.keys(rows[0]!.dropped)).toContain("bad_authenticator");
  });

  it("reports the last accepted and the last dropped request apart: forged datagrams do not look like a live NAS", async () => {
    const status = () =>
      t
        .query<{ lastPacketAt: Date | null; lastDroppedAt: Date | null; lastHeartbeat: Date }>(
          `SELECT "lastPacketAt", "lastDroppedAt", "lastHeartbeat" FROM "SensorStatus" WHERE "sensorId" = 'test-sensor'`,
        )
        .then((r) => r[0]!);
    const forgedAt = new Date();
    expect(
      radclient(`User-Name = "mallory"\nAcct-Status-Type = Start\nAcct-Session-Id = "FORGED-1"\n`, "not-the-secret-000")
        .ok,
    ).toBe(false);
    const after = await waitFor(
      async () => {
        const s = await status();
        return s.lastHeartbeat > forgedAt ? s : null;
      },
      15_000,
      "a heartbeat after the forged datagram",
    );
    expect(after.lastDroppedAt!.getTime()).toBeGreaterThanOrEqual(forgedAt.getTime() - 5);
    expect(after.lastPacketAt!.getTime()).toBeLessThan(forgedAt.getTime());
  });
});
