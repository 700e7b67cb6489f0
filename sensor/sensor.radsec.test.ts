// RadSec (RFC 6614) as real peers meet it: radsecproxy (Debian) forwarding UDP accounting over TLS, FreeRADIUS 3.2
// with a TLS home server, and TLS clients that misbehave (another CA, garbage, a lying Length, idle floods).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../lib/testing/test-database.ts";
import { updateRadsecSettings, RadsecSettingsUpdateSchema } from "../lib/radius/radsec-settings.ts";
import { createRadiusClient, deleteRadiusClient, CreateRadiusClientSchema } from "../lib/radius/radius-clients.ts";
import { updateVpnSettings, VpnSettingsUpdateSchema } from "../lib/radius/vpn-settings.ts";
import {
  buildAccountingRequest,
  buildStatusServer,
  expectedAccountingResponse,
  int,
  isValidAccountingResponse,
  responseMessageAuthenticatorValid,
  str,
} from "./testing/accounting-packet.ts";
import { startFreeradiusProxy, startRadsecproxy, type Peer } from "../lib/testing/radius-peers.ts";
import { freePort, startSensor, waitFor, type SensorProcess } from "./testing/sensor-process.ts";
import { createTestCa, type Issued, type TestCa } from "../lib/testing/test-pki.ts";
import { parseInput } from "../lib/errors.ts";

const admin = { label: "user:test" };
const NAS_SECRET = "nas-to-proxy-000001";
let t: TestDatabase;
let sensor: SensorProcess;
let dir: string;
let radsecPort: number;
let siteCa: TestCa;
let client: Issued;
let foreign: Issued;
const files: Record<string, string> = {};

const write = (name: string, text: string) => {
  files[name] = path.join(dir, name);
  // Readable by FreeRADIUS, which drops to its own user (a throw-away test key).
  fs.writeFileSync(files[name], text, { mode: 0o644 });
  return files[name];
};
const stored = async (like: string) =>
  (
    await t.query<{ acctSessionId: string }>(
      `SELECT "acctSessionId" FROM "VpnSession" WHERE "acctSessionId" LIKE $1 ORDER BY 1`,
      [like],
    )
  ).map((r) => r.acctSessionId);
const startPacket = (id: string, identifier = 1) =>
  buildAccountingRequest(
    "radsec",
    [str(1, "dave@contoso.com"), int(40, 1), str(44, id), str(31, "81.2.69.160"), str(32, "tls-nas")],
    { identifier },
  );

/** A TLS client of our own (Node's TLS stack, OpenSSL): many requests in flight on one connection. */
function connect(
  cert: Issued | null,
  versions: Pick<tls.ConnectionOptions, "minVersion" | "maxVersion"> = {},
): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: "127.0.0.1",
      port: radsecPort,
      ca: fs.readFileSync(path.join(dir, "sensor.crt")),
      checkServerIdentity: () => undefined,
      ...(cert ? { cert: cert.certPem, key: cert.keyPem } : {}),
      ...versions,
    });
    socket.once("secureConnect", () => resolve(socket));
    socket.once("error", reject);
  });
}
/** Collects whole RADIUS responses from a stream. */
function responses(socket: tls.TLSSocket): Buffer[] {
  const out: Buffer[] = [];
  let buf = Buffer.alloc(0);
  socket.on("data", (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 4 && buf.length >= buf.readUInt16BE(2)) {
      out.push(buf.subarray(0, buf.readUInt16BE(2)));
      buf = buf.subarray(buf.readUInt16BE(2));
    }
  });
  return out;
}
/** After a handshake the server refuses, TLS 1.3 reports it on the first read: either way nothing is answered. */
async function refusedAtHandshake(cert: Issued | null): Promise<boolean> {
  try {
    const socket = await connect(cert);
    const closed = new Promise<boolean>((resolve) => {
      socket.on("error", () => resolve(true));
      socket.on("close", () => resolve(true));
      setTimeout(() => resolve(false), 3000);
    });
    socket.write(startPacket(`REFUSED-${Date.now()}`));
    return await closed;
  } catch {
    return true;
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  await updateVpnSettings(
    t.db,
    parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: "udp-secret-000000001" }),
    admin,
  );
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-radsec-"));
  fs.chmodSync(dir, 0o755);
  siteCa = await createTestCa("Site RADIUS CA");
  client = await siteCa.issue("proxy.contoso.test");
  foreign = await (await createTestCa("Another CA")).issue("proxy.contoso.test");
  write("client.crt", client.certPem);
  write("client.key", client.keyPem);
  await updateRadsecSettings(t.db, parseInput(RadsecSettingsUpdateSchema, { clientCa: siteCa.certPem }), admin);
  radsecPort = await freePort();
  sensor = await startSensor({
    DATABASE_URL: t.url,
    VPNSIGHT_DATA_DIR: path.join(dir, "data"),
    RADSEC_PORT: String(radsecPort),
    RADSEC_IDLE_TIMEOUT_S: "60",
    RADSEC_MAX_CONNECTIONS: "100",
  });
  await waitFor(async () => sensor.logs().includes("RadSec: listening"), 10_000, "the RadSec listener");
  write("sensor.crt", fs.readFileSync(path.join(dir, "data", "radsec", "server.crt"), "utf8"));
});
afterAll(async () => {
  const code = await sensor?.stop();
  expect(code, sensor?.logs().slice(-2000)).toBe(0);
  await t?.drop();
});

describe("RadSec listener", () => {
  it("answers many requests in flight on one connection, in any order, only once each is stored; and Status-Server", async () => {
    const socket = await connect(client);
    const got = responses(socket);
    const packets = Array.from({ length: 50 }, (_, i) => startPacket(`TLS-MANY-${String(i).padStart(2, "0")}`, i));
    socket.write(Buffer.concat(packets)); // one write: requests arrive together, split anywhere by TLS records
    const probe = buildStatusServer("radsec", [str(32, "tls-probe")], { identifier: 200 });
    socket.write(probe);
    await waitFor(async () => got.length === 51, 10_000, "51 answers");
    for (const p of packets)
      expect(got.some((r) => r[1] === p[1] && isValidAccountingResponse(r, p, "radsec"))).toBe(true);
    const toProbe = got.find((r) => r[1] === 200)!;
    expect(
      isValidAccountingResponse(toProbe, probe, "radsec") &&
        responseMessageAuthenticatorValid(toProbe, probe, "radsec"),
    ).toBe(true);
    expect(await stored("TLS-MANY-%")).toHaveLength(50);
    expect(await sensor.metric("vpnsight_radius_status_server_total", 'transport="tls"')).toBeGreaterThanOrEqual(1);
    expect(await sensor.metric("vpnsight_radius_packets_accepted_total", 'transport="tls"')).toBeGreaterThanOrEqual(50);
    socket.destroy();
  });

  it("speaks TLS 1.2 and 1.3, and nothing older", async () => {
    for (const version of ["TLSv1.2", "TLSv1.3"] as const) {
      const socket = await connect(client, { minVersion: version, maxVersion: version });
      expect(socket.getProtocol()).toBe(version);
      const got = responses(socket);
      const packet = startPacket(`VERSION-${version}`, 4);
      socket.write(packet);
      await waitFor(async () => got.length === 1, 5000, `an answer over ${version}`);
      expect(isValidAccountingResponse(got[0]!, packet, "radsec")).toBe(true);
      socket.destroy();
    }
    await expect(connect(client, { minVersion: "TLSv1", maxVersion: "TLSv1.1" })).rejects.toThrow();
  });

  it("refuses at the handshake a client certificate from another CA, or none", async () => {
    const before = await sensor.metric("vpnsight_radsec_connections_closed_total", 'reason="handshake"');
    expect(await refusedAtHandshake(foreign)).toBe(true);
    expect(await refusedAtHandshake(null)).toBe(true);
    await waitFor(
      async () => (await sensor.metric("vpnsight_radsec_connections_closed_total", 'reason="handshake"')) >= before + 2,
      5000,
      "handshake refusals counted",
    );
    expect(await stored("REFUSED-%")).toEqual([]);
  });

  it("holds a RADIUS client bound to a certificate to it: another certificate from the same CA is closed", async () => {
    const other = await siteCa.issue("someone-else.contoso.test");
    const bound = await createRadiusClient(
      t.db,
      parseInput(CreateRadiusClientSchema, {
        name: "tls-proxy",
        address: "127.0.0.0/8",
        certificate: "proxy.contoso.test",
      }),
      admin,
    );
    try {
      await new Promise((r) => setTimeout(r, 1500)); // LISTEN/NOTIFY reaches the sensor
      expect(await refusedAtHandshake(other)).toBe(true);
      expect(
        await sensor.metric("vpnsight_radsec_connections_closed_total", 'reason="certificate_mismatch"'),
      ).toBeGreaterThanOrEqual(1);
      const socket = await connect(client);
      const got = responses(socket);
      const packet = startPacket("BOUND-OK", 5);
      socket.write(packet);
      await waitFor(async () => got.length === 1, 5000, "the bound certificate's answer");
      expect(isValidAccountingResponse(got[0]!, packet, "radsec")).toBe(true);
      socket.destroy();
    } finally {
      await deleteRadiusClient(t.db, bound.id, admin);
      await new Promise((r) => setTimeout(r, 1500));
    }
  });

  it("closes only the connection that sends garbage, an impossible Length or one larger than its packet; others go on", async () => {
    const good = await connect(client);
    const got = responses(good);
    const garbage = await connect(client);
    const garbageClosed = new Promise((r) => garbage.on("close", r));
    garbage.write(Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    await garbageClosed;
    const liar = await connect(client);
    const liarClosed = new Promise((r) => liar.on("close", r));
    const lying = Buffer.from(startPacket("LIAR-1"));
    lying.writeUInt16BE(4097, 2); // beyond any RADIUS packet
    liar.write(lying);
    await liarClosed;
    // A Length longer than its packet swallows the start of the next one: the attributes no longer tile, the framing is lost.
    const swallower = await connect(client);
    const swallowerClosed = new Promise((r) => swallower.on("close", r));
    const long = Buffer.from(startPacket("LIAR-2"));
    long.writeUInt16BE(long.length + 10, 2);
    swallower.write(Buffer.concat([long, startPacket("LIAR-3")]));
    await swallowerClosed;
    expect(await stored("LIAR-%")).toEqual([]);
    const packet = startPacket("AFTER-GARBAGE", 7);
    good.write(packet);
    await waitFor(async () => got.length === 1, 5000, "the good connection's answer");
    expect(got[0]).toEqual(expectedAccountingResponse(packet, "radsec"));
    expect(
      await sensor.metric("vpnsight_radsec_connections_closed_total", 'reason="malformed_stream"'),
    ).toBeGreaterThanOrEqual(3);
    good.destroy();
  });

  it("loses nothing it answered when the connection is killed mid-stream", async () => {
    const socket = await connect(client);
    const got = responses(socket);
    const packets = Array.from({ length: 250 }, (_, i) => startPacket(`KILL-${String(i).padStart(3, "0")}`, i)); // unique Identifiers
    for (const [i, p] of packets.entries()) {
      socket.write(p);
      if (i === 100) await waitFor(async () => got.length > 20, 5000, "some answers");
      if (i === 200) socket.destroy();
    }
    await new Promise((r) => setTimeout(r, 1000));
    const storedIds = new Set(await stored("KILL-%"));
    expect(got.length).toBeGreaterThan(20);
    for (const response of got) {
      const request = packets[response[1]!]!;
      expect(isValidAccountingResponse(response, request, "radsec")).toBe(true);
      expect(storedIds.has(`KILL-${String(response[1]).padStart(3, "0")}`)).toBe(true);
    }
  });

  it("bounds 1,000 concurrent idle connections and stays under its memory target", async () => {
    const rss = () =>
      Number(fs.readFileSync(`/proc/${sensor.child.pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)![1]) / 1024;
    const sockets: tls.TLSSocket[] = [];
    const attempts = Array.from({ length: 1000 }, () =>
      connect(client).then(
        (s) => (sockets.push(s), s.on("error", () => {})),
        () => undefined,
      ),
    );
    await Promise.all(attempts);
    await new Promise((r) => setTimeout(r, 1000));
    const open = sockets.filter((s) => !s.destroyed).length;
    expect(await sensor.metric("vpnsight_radsec_connections")).toBeLessThanOrEqual(100);
    expect(open).toBeLessThanOrEqual(100);
    expect(
      await sensor.metric("vpnsight_radsec_connections_closed_total", 'reason="too_many_connections"'),
    ).toBeGreaterThanOrEqual(900);
    expect(rss()).toBeLessThan(200);
    // Still serving: a new request on a fresh connection once the idle ones are gone.
    for (const s of sockets) s.destroy();
    await waitFor(async () => (await sensor.metric("vpnsight_radsec_connections")) === 0, 5000, "connections closed");
    const socket = await connect(client);
    const got = responses(socket);
    socket.write(startPacket("AFTER-FLOOD", 3));
    await waitFor(async () => got.length === 1, 5000, "an answer after the flood");
    socket.destroy();
  }, 60_000);
});

describe("RadSec timeouts", () => {
  it("drops a connection that never finishes its handshake, and one that stays idle", async () => {
    const port = await freePort();
    // Its own data directory; the first sensor's certificate given as files (RADSEC_CERT, RADSEC_KEY).
    const short = await startSensor({
      DATABASE_URL: t.url,
      VPNSIGHT_DATA_DIR: path.join(dir, "data-short"),
      RADSEC_PORT: String(port),
      RADSEC_CERT: path.join(dir, "data", "radsec", "server.crt"),
      RADSEC_KEY: path.join(dir, "data", "radsec", "server.key"),
      RADSEC_HANDSHAKE_TIMEOUT_S: "1",
      RADSEC_IDLE_TIMEOUT_S: "2",
      SENSOR_DETECTIONS: "off",
      SENSOR_ID: "short-timeouts",
    });
    try {
      await waitFor(async () => short.logs().includes("RadSec: listening"), 10_000, "the RadSec listener");
      const silent = net.connect(port, "127.0.0.1");
      const closed = new Promise((r) => silent.on("close", r));
      // Timed from the TCP connection itself (a refused or reset connect fails here, saying so, not as a short time).
      await new Promise<void>((resolve, reject) => silent.once("connect", resolve).once("error", reject));
      const silentAt = Date.now();
      await closed;
      expect(Date.now() - silentAt).toBeGreaterThanOrEqual(900);
      expect(Date.now() - silentAt).toBeLessThan(5000);
      const idle = tls.connect({
        host: "127.0.0.1",
        port,
        ca: fs.readFileSync(path.join(dir, "sensor.crt")),
        checkServerIdentity: () => undefined,
        cert: client.certPem,
        key: client.keyPem,
      });
      await new Promise<void>((resolve, reject) => idle.once("secureConnect", resolve).once("error", reject));
      const idleAt = Date.now();
      await new Promise((r) => idle.on("close", r));
      expect(Date.now() - idleAt).toBeGreaterThanOrEqual(1900);
      expect(await short.metric("vpnsight_radsec_connections_closed_total", 'reason="handshake_timeout"')).toBe(1);
      expect(await short.metric("vpnsight_radsec_connections_closed_total", 'reason="idle_timeout"')).toBe(1);
    } finally {
      await short.stop();
    }
  });
});

describe("RadSec through real peers", () => {
  let proxy: Peer | undefined;
  afterAll(async () => {
    await proxy?.stop();
  });

  it("radsecproxy forwards radclient's UDP accounting over TLS: stored; killed mid-stream, nothing answered is lost", async () => {
    const listenPort = await freePort();
    proxy = await startRadsecproxy({
      dir: path.join(dir, "radsecproxy"),
      listenPort,
      clientSecret: NAS_SECRET,
      sensorPort: radsecPort,
      certFile: files["client.crt"]!,
      keyFile: files["client.key"]!,
      caFile: files["sensor.crt"]!,
    });
    const send = (ids: string[], extra: string[] = []) =>
      spawnSync("radclient", [...extra, "-r", "1", "-t", "3", `127.0.0.1:${listenPort}`, "acct", NAS_SECRET], {
        input: ids
          .map(
            (id) =>
              `User-Name = "erin@contoso.com"\nAcct-Session-Id = "${id}"\nAcct-Status-Type = Start\nNAS-IP-Address = 10.2.0.1\nCalling-Station-Id = "81.2.69.160"\n`,
          )
          .join("\n"),
        encoding: "utf8",
      });
    const one = send(["RSP-1"]);
    if (process.env.SHOW_PEER_LOGS) console.log(one.stdout, one.stderr, proxy.logs());
    expect(one.stdout, proxy.logs().slice(-3000)).toContain("Received Accounting-Response");
    expect(await stored("RSP-1")).toEqual(["RSP-1"]);

    // radsecproxy (StatusServer on) probes an idle server every 25–32 s over the same TLS connection.
    const probes = await sensor.metric("vpnsight_radius_status_server_total", 'transport="tls"');
    await waitFor(
      async () => (await sensor.metric("vpnsight_radius_status_server_total", 'transport="tls"')) > probes,
      45_000,
      "radsecproxy's Status-Server over TLS",
    );
    expect(proxy.logs()).not.toMatch(/marking .*dead|server .* not responding/i);

    // Many records in flight, then radsecproxy (and its TLS connection) killed mid-stream.
    const ids = Array.from({ length: 200 }, (_, i) => `RSP-BULK-${String(i).padStart(3, "0")}`);
    const bulk = new Promise<string>((resolve) => {
      // radclient does not give up on a proxy that is gone (ICMP unreachable): stopped after 10 s.
      const c = spawn("radclient", ["-p", "50", "-r", "1", "-t", "2", `127.0.0.1:${listenPort}`, "acct", NAS_SECRET], {
        timeout: 10_000,
      });
      let out = "";
      c.stdout.on("data", (d: Buffer) => (out += d));
      c.on("exit", () => resolve(out));
      c.stdin.end(
        ids
          .map(
            (id) =>
              `User-Name = "erin@contoso.com"\nAcct-Session-Id = "${id}"\nAcct-Status-Type = Start\nNAS-IP-Address = 10.2.0.1\n`,
          )
          .join("\n"),
      );
    });
    await waitFor(async () => (await stored("RSP-BULK-%")).length > 10, 10_000, "some bulk records stored");
    proxy.child.kill("SIGKILL");
    const out = await bulk;
    const answered = (out.match(/Received Accounting-Response/g) ?? []).length;
    expect(answered).toBeGreaterThan(0);
    expect((await stored("RSP-BULK-%")).length).toBeGreaterThanOrEqual(answered);
  }, 90_000);

  it("FreeRADIUS 3.2 with a TLS home server: records stored; its broken clear-text Status-Server closes only that connection", async () => {
    const listenPort = await freePort();
    const fr = await startFreeradiusProxy({
      dir: path.join(dir, "freeradius-tls"),
      listenPort,
      clientSecret: NAS_SECRET,
      home: {
        proto: "tls",
        port: radsecPort,
        certFile: files["client.crt"]!,
        keyFile: files["client.key"]!,
        caFile: files["sensor.crt"]!,
      },
      timers: { responseWindow: 1, zombiePeriod: 2, checkInterval: 6, checkTimeout: 2, numAnswersToAlive: 3 },
    });
    try {
      const send = (id: string) =>
        spawnSync("radclient", ["-r", "1", "-t", "3", `127.0.0.1:${listenPort}`, "acct", NAS_SECRET], {
          input: `User-Name = "frank@contoso.com"\nAcct-Session-Id = "${id}"\nAcct-Status-Type = Start\nNAS-IP-Address = 10.3.0.1\n`,
          encoding: "utf8",
        }).stdout;
      expect(send("FRTLS-1"), fr.logs().slice(-4000)).toContain("Received Accounting-Response");
      expect(await stored("FRTLS-1")).toEqual(["FRTLS-1"]);

      // Its Status-Server over TLS cannot be answered by anyone: FreeRADIUS 3.2.1 (Debian 12) writes the probe in
      // clear text on the TLS connection (seen through a TCP relay: 0x0c… right after the handshake). The sensor
      // closes such a connection, and the next record still gets through on a new one.
      await updateVpnSettings(t.db, parseInput(VpnSettingsUpdateSchema, { enabled: false }), admin);
      await new Promise((r) => setTimeout(r, 1500));
      send("FRTLS-SILENT");
      await waitFor(
        async () => /Marking home server \S+ port \d+ as (zombie|dead)/.test(fr.logs()),
        20_000,
        "FreeRADIUS to give up on the sensor",
      );
      await updateVpnSettings(t.db, parseInput(VpnSettingsUpdateSchema, { enabled: true }), admin);
      await waitFor(async () => sensor.logs().includes("wrong version number"), 20_000, "the clear-text probe refused");
      expect(sensor.child.exitCode).toBeNull();
      if (process.env.SHOW_PEER_LOGS) console.log(fr.logs());
    } finally {
      await fr.stop();
    }
  }, 90_000);
});
