// PostgreSQL stops while packets flow: answered packets go to the spool, and once the
// database is back every answered record is in it exactly once.
import dgram from "node:dgram";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, type RunningDatabase } from "../lib/db/embedded-postgres.ts";
import { migrateDatabase } from "../lib/db/migrator.ts";
import { createPrismaClient } from "../lib/db/prisma.ts";
import { updateVpnSettings, VpnSettingsUpdateSchema } from "../lib/radius/vpn-settings.ts";
import { buildAccountingRequest, expectedAccountingResponse, int, str } from "./testing/accounting-packet.ts";
import { startSensor, waitFor, type SensorProcess } from "./testing/sensor-process.ts";
import { parseInput } from "../lib/errors.ts";

const SECRET = "durable-secret-00001";
const OUTAGE_MS = Number(process.env.OUTAGE_MS ?? 4000);
let dataDir: string;
let pgPort: number;
let database: RunningDatabase;
let sensor: SensorProcess;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-durable-"));
  fs.chmodSync(dataDir, 0o755);
  pgPort = 58000 + Math.floor(Math.random() * 2000);
  database = await startEmbeddedPostgres({ dataDir, port: pgPort });
  await migrateDatabase(database.url);
  const prisma = createPrismaClient(database.url);
  await updateVpnSettings(prisma, parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: SECRET }), {
    label: "test",
  });
  await prisma.$disconnect();
  sensor = await startSensor({ DATABASE_URL: database.url, VPNSIGHT_DATA_DIR: dataDir, DB_WRITE_TIMEOUT_MS: "1000" });
});
afterAll(async () => {
  await sensor?.stop();
  await database?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Sends like a NAS: retransmit after 1 s, 3 tries; resolves true when answered correctly. */
function sendLikeNas(socket: dgram.Socket, waiting: Map<string, () => void>, packet: Buffer): Promise<boolean> {
  const expected = expectedAccountingResponse(packet, SECRET).toString("hex");
  return new Promise((resolve) => {
    let tries = 0;
    let timer: NodeJS.Timeout;
    const attempt = () => {
      if (tries++ === 3) {
        waiting.delete(expected);
        return resolve(false);
      }
      socket.send(packet, sensor.port, "127.0.0.1");
      timer = setTimeout(attempt, 1000);
    };
    waiting.set(expected, () => {
      clearTimeout(timer);
      waiting.delete(expected);
      resolve(true);
    });
    attempt();
  });
}

describe("database outage", () => {
  it("keeps answering through the spool and loses or doubles nothing", async () => {
    const socket = dgram.createSocket("udp4");
    await new Promise<void>((r) => socket.bind(0, "127.0.0.1", () => r()));
    const waiting = new Map<string, () => void>();
    socket.on("message", (msg) => waiting.get(msg.toString("hex"))?.());

    const answered = new Set<string>(); // "session:kind"
    let sent = 0;
    let running = true;
    const sessionLoop = async (worker: number) => {
      for (let n = 0; running; n++) {
        const id = `D-${worker}-${n}`;
        for (const [status, kind] of [
          [1, "start"],
          [2, "stop"],
        ] as const) {
          const attrs = [
            str(1, `user${worker}@contoso.com`),
            int(40, status),
            str(44, id),
            int(55, 1_795_000_000 + n),
            ...(status === 2 ? [int(46, 60)] : []),
          ];
          sent += 1;
          if (
            await sendLikeNas(
              socket,
              waiting,
              buildAccountingRequest(SECRET, attrs, { identifier: (worker * 16 + n * 2 + status) & 0xff }),
            )
          ) {
            answered.add(`${id}:${kind}`);
          }
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => sessionLoop(w));

    await waitFor(async () => answered.size > 200, 20_000, "traffic before the outage");
    await database.stop();
    const duringOutage = answered.size;
    await waitFor(
      async () =>
        (
          await sensor.health().catch(() => {
            throw new Error(sensor.logs());
          })
        ).mode === "spool",
      10_000,
      "spool mode",
    );
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const answeredInOutage = answered.size - duringOutage;
    // What the spool holds (user names, addresses) is the sensor user's alone.
    const spoolDir = path.join(dataDir, "spool");
    expect(fs.statSync(spoolDir).mode & 0o777).toBe(0o700);
    const segments = fs.readdirSync(spoolDir).filter((f) => f.endsWith(".spool"));
    expect(segments.length).toBeGreaterThan(0);
    for (const f of segments) expect(fs.statSync(path.join(spoolDir, f)).mode & 0o777).toBe(0o600);
    database = await startEmbeddedPostgres({ dataDir, port: pgPort });
    await new Promise((r) => setTimeout(r, 1500));
    running = false;
    await Promise.all(workers);
    socket.close();

    await waitFor(
      async () => {
        const h = await sensor.health();
        return h.mode === "database" && h.spoolDepth === 0;
      },
      30_000,
      "spool drained",
    );
    expect(answeredInOutage, "answers while the database was down").toBeGreaterThan(20);

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query<{ id: string; kind: string; n: number }>(
      `SELECT s."acctSessionId" AS id, e.kind, count(*)::int AS n FROM "VpnSessionEvent" e JOIN "VpnSession" s ON s.id = e."sessionId" GROUP BY 1, 2`,
    );
    const sessions = await client.query<{ n: number; distinct_ids: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT "acctSessionId")::int AS distinct_ids FROM "VpnSession"`,
    );
    await client.end();
    const stored = new Map(rows.map((r) => [`${r.id}:${r.kind}`, r.n]));
    const missing = [...answered].filter((key) => !stored.has(key));
    expect(missing, "answered but not stored").toEqual([]);
    expect(
      rows.filter((r) => r.n !== 1),
      "stored more than once",
    ).toEqual([]);
    expect(sessions.rows[0]!.n).toBe(sessions.rows[0]!.distinct_ids);
    expect(sent).toBeGreaterThan(answered.size - 1);
  }, 120_000);
});
