// ≥ 100,000 hostile datagrams (FUZZ_DATAGRAMS to change): the sensor stays up, keeps memory bounded,
// and answers only what an independent RFC 2866/3579 check accepts — and, among those, authentic packets
// whose attributes are nonsense (their NAS would send them again and again) never take it down.
import dgram from "node:dgram";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../lib/testing/test-database.ts";
import { seededRandom } from "../lib/random.ts";
import { updateVpnSettings, VpnSettingsUpdateSchema } from "../lib/radius/vpn-settings.ts";
import {
  buildAccountingRequest,
  expectedAccountingResponse,
  int,
  isValidAccountingRequest,
  str,
  vsa,
  type Attr,
} from "./testing/accounting-packet.ts";
import { sendAndWait, startSensor, type SensorProcess } from "./testing/sensor-process.ts";
import { parseInput } from "../lib/errors.ts";

const SECRET = "fuzz-secret-00000001";
const TOTAL = Number(process.env.FUZZ_DATAGRAMS ?? 100_000);
let t: TestDatabase;
let sensor: SensorProcess;

beforeAll(async () => {
  t = await createTestDatabase();
  await updateVpnSettings(t.db, parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: SECRET }), {
    label: "test",
  });
  sensor = await startSensor({
    DATABASE_URL: t.url,
    VPNSIGHT_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-fuzz-")),
  });
});
afterAll(async () => {
  await sensor.stop();
  await t.drop();
});

function rssKb(pid: number): number {
  const line = fs
    .readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"))!;
  return Number(line.replace(/\D+/g, ""));
}

function makeDatagram(random: () => number, i: number): Buffer {
  const pick = (n: number) => Math.floor(random() * n);
  const attrs: Attr[] = [
    str(1, `user${i % 97}@contoso.com`),
    int(40, 1 + pick(3)),
    str(44, `F-${i}`),
    int(41, pick(5)),
  ];
  if (random() < 0.3)
    attrs.push(vsa([311, 9, 3076, 3375, 2620, 4242][pick(6)]!, pick(256), Buffer.alloc(pick(20), pick(256))));
  const valid = buildAccountingRequest(SECRET, attrs, {
    identifier: i & 0xff,
    messageAuthenticator: random() < 0.2,
    padding: random() < 0.1 ? pick(8) : 0,
  });
  switch (pick(9)) {
    case 0: // control: valid as built
      return valid;
    case 1: // random bytes
      return Buffer.from(Array.from({ length: pick(120) }, () => pick(256)));
    case 2: // truncated
      return valid.subarray(0, pick(valid.length));
    case 3: {
      // Length field lies
      const b = Buffer.from(valid);
      b.writeUInt16BE(pick(5000), 2);
      return b;
    }
    case 4: {
      // an attribute length overflows or underflows
      const b = Buffer.from(valid);
      b[21] = pick(4) === 0 ? pick(2) : 200 + pick(56);
      return b;
    }
    case 5: // wrong secret
      return buildAccountingRequest("wrong-secret-0000001", attrs, { identifier: i & 0xff });
    case 6: {
      // a few random bit flips
      const b = Buffer.from(valid);
      for (let k = 0, n = 1 + pick(3); k < n; k++) b[pick(b.length)] = b[pick(b.length)]! ^ (1 << pick(8));
      return b;
    }
    case 7: {
      // authentic, with attributes of any type, length and content: the decoder must cope
      const odd: Attr[] = Array.from(
        { length: 1 + pick(4) },
        () => [pick(256), Buffer.from(Array.from({ length: pick(24) }, () => pick(256)))] as Attr,
      );
      return buildAccountingRequest(SECRET, [...attrs, ...odd], { identifier: i & 0xff });
    }
    default: {
      // other codes, correctly signed
      return buildAccountingRequest(SECRET, attrs, { identifier: i & 0xff, code: [1, 2, 5, 11, 12, 40, 43][pick(7)]! });
    }
  }
}

describe("fuzzing the sensor", () => {
  it(`answers only verifiable packets among ${TOTAL} hostile datagrams, stays up and bounded`, async () => {
    const random = seededRandom(0x5eed);
    const socket = dgram.createSocket("udp4");
    await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
    const expected = new Set<string>();
    const responses: Buffer[] = [];
    socket.on("message", (msg) => responses.push(msg));
    const rssBefore = rssKb(sensor.child.pid!);
    let expectedValid = 0;

    for (let i = 0; i < TOTAL; i++) {
      const datagram = makeDatagram(random, i);
      if (isValidAccountingRequest(datagram, SECRET)) {
        expectedValid += 1;
        expected.add(expectedAccountingResponse(datagram, SECRET).toString("hex"));
      }
      socket.send(datagram, sensor.port, "127.0.0.1");
      if (i % 200 === 199) await new Promise((r) => setTimeout(r, 6)); // stay within the socket buffers
    }
    await new Promise((r) => setTimeout(r, 2000));
    socket.close();

    const rssAfter = rssKb(sensor.child.pid!);
    const forged = responses.filter((r) => !expected.has(r.toString("hex")));
    expect(forged, "responses to packets that fail verification").toHaveLength(0);
    expect(responses.length).toBeLessThanOrEqual(expectedValid);
    // Liveness of the oracle: the controls were answered (a few may be lost in UDP buffers).
    expect(responses.length).toBeGreaterThan(expectedValid * 0.8);
    expect(sensor.child.exitCode).toBeNull();
    const probe = buildAccountingRequest(SECRET, [str(1, "after@contoso.com"), int(40, 1), str(44, "AFTER-FUZZ")]);
    expect(await sendAndWait(sensor.port, probe)).toEqual(expectedAccountingResponse(probe, SECRET));
    expect(rssAfter - rssBefore, `RSS ${rssBefore} → ${rssAfter} kB`).toBeLessThan(150_000);
    const dropped = await sensor.metric("vpnsight_radius_packets_dropped_total", 'reason="malformed"');
    expect(dropped).toBeGreaterThan(TOTAL / 10);
  }, 300_000);
});
