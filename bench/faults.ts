// `npm run test:faults`: fault drills against the real sensor and a real PostgreSQL.
// Short by default (CI); FAULTS_FULL=1 for the long version (60 s outage, more load).
// Each drill prints what it proved; any failure exits non-zero.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { startEmbeddedPostgres, type RunningDatabase } from "../lib/db/embedded-postgres.ts";
import { readEnv } from "../lib/config/env.ts";
import { bootstrapDatabase } from "../lib/runtime/bootstrap.ts";
import { installationKey } from "../lib/secrets/installation-key.ts";
import { createPrismaClient } from "../lib/db/prisma.ts";
import { updateVpnSettings, VpnSettingsUpdateSchema } from "../lib/radius/vpn-settings.ts";
import { startSensor, waitFor, type SensorProcess } from "../sensor/testing/sensor-process.ts";
import { runLoad, type LoadOptions, type LoadResult } from "./load-generator.ts";
import { parseInput } from "../lib/errors.ts";
import { storedRecords } from "./stored-records.ts";
import {
  killNode,
  pg15Available,
  promote,
  startPrimary,
  startStandby,
  stopNode,
  type PgNode,
} from "../lib/testing/pg-cluster.ts";
import { migrateDatabase } from "../lib/db/migrator.ts";

const FULL = process.env.FAULTS_FULL === "1";
const OUTAGE_S = FULL ? 60 : 10;
const SECRET = "faults-secret-000001";
process.env.VPNSIGHT_SECRET_KEY ??= randomBytes(32).toString("base64");
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-faults-"));
fs.chmodSync(workDir, 0o755);
const pgPort = 59500 + Math.floor(Math.random() * 400);
let database: RunningDatabase;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => process.stdout.write(`${line}\n`);

const load = (port: number, runId: string, extra: Partial<LoadOptions>): LoadOptions => ({
  host: "127.0.0.1",
  port,
  secret: SECRET,
  duration: 5,
  rate: 2000,
  window: 128,
  timeoutMs: 1000,
  tries: 3,
  identities: 5000,
  nas: 20,
  interimsPerSession: 2,
  runId,
  ...extra,
});

/** One query on its own connection (drills stop and start PostgreSQL, so no pool outlives one). */
const query = <T extends pg.QueryResultRow>(sql: string, params: unknown[]) => queryOn<T>(database.url, sql, params);
async function queryOn<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function assertAnsweredStoredOnce(
  drill: string,
  runId: string,
  result: LoadResult,
  on: typeof query = query,
): Promise<string> {
  const stored = await storedRecords(on, runId);
  const missing = [...result.answeredRecords].filter((k) => !stored.keys.has(k));
  if (missing.length)
    throw new Error(
      `${drill}: ${missing.length} answered records are not stored, e.g. ${missing.slice(0, 3).join(", ")}`,
    );
  if (stored.duplicates) throw new Error(`${drill}: ${stored.duplicates} records stored more than once`);
  if (stored.sessions !== stored.distinctSessions) throw new Error(`${drill}: duplicate sessions`);
  return `${result.answeredRecords.size} answered records all stored exactly once (${stored.keys.size} stored, ${stored.sessions} sessions)`;
}

/**
 * The generator's counters follow session time (input = 1,000 × seconds, output = 5,000 × seconds, Stop at 900 s):
 * every session must hold counters that agree with each other, cover every record answered for it, and be 900 s once
 * closed.
 */
async function assertCounters(runId: string, result: LoadResult): Promise<string> {
  const answered = new Map<string, number>();
  for (const key of result.answeredRecords) {
    const [id, kind] = key.split(":") as [string, string];
    const seconds = kind === "stop" ? 900 : kind.startsWith("interim") ? Number(kind.slice(7)) * 300 : 0;
    answered.set(id, Math.max(answered.get(id) ?? 0, seconds));
  }
  const rows = await query<{ id: string; status: string; duration: number | null; input: string; output: string }>(
    `SELECT "acctSessionId" AS id, status, "durationSeconds" AS duration, "inputBytes"::text AS input,
            "outputBytes"::text AS output
     FROM "VpnSession" WHERE "acctSessionId" LIKE $1`,
    [`${runId}-%`],
  );
  const wrong = rows.filter((r) => {
    const seconds = r.duration ?? 0;
    if (r.input !== String(seconds * 1000) || r.output !== String(seconds * 5000)) return true;
    if (seconds < (answered.get(r.id) ?? 0)) return true;
    return r.status === "closed" && seconds !== 900;
  });
  if (wrong.length)
    throw new Error(`${runId}: ${wrong.length} sessions with wrong counters, e.g. ${JSON.stringify(wrong[0])}`);
  return `counters right in all ${rows.length} sessions (${rows.filter((r) => r.status === "closed").length} closed at 900 s)`;
}

async function sensorWith(env: Record<string, string> = {}): Promise<SensorProcess> {
  return startSensor({
    DATABASE_URL: database.url,
    VPNSIGHT_DATA_DIR: path.join(workDir, "sensor"),
    DB_WRITE_TIMEOUT_MS: "1000",
    ...env,
  });
}
const drained = (sensor: SensorProcess) =>
  waitFor(
    async () => {
      const h = await sensor.health();
      return h.mode === "database" && h.spoolDepth === 0;
    },
    120_000,
    "spool drained",
  );

const drills: [string, () => Promise<string>][] = [
  [
    `PostgreSQL stopped for ${OUTAGE_S} s under 2,000 req/s`,
    async () => {
      const sensor = await sensorWith();
      const running = runLoad(load(sensor.port, "outage", { duration: OUTAGE_S + 8 }));
      await sleep(3000);
      await database.stop();
      await sleep(OUTAGE_S * 1000);
      database = await startEmbeddedPostgres({ dataDir: workDir, port: pgPort });
      const result = await running;
      await drained(sensor);
      await sensor.stop();
      return `${result.answered}/${result.sent} answered (${result.timedOut} timed out), spool drained; ${await assertAnsweredStoredOnce("outage", "outage", result)}`;
    },
  ],
  [
    "sensor kill -9 under load, then restarted",
    async () => {
      const first = await sensorWith({ RADIUS_ACCT_PORT: "28140" });
      const running = runLoad(load(28140, "kill9", { duration: 8, timeoutMs: 1000 }));
      await sleep(3000);
      first.child.kill("SIGKILL");
      await sleep(500);
      const second = await sensorWith({ RADIUS_ACCT_PORT: "28140" });
      const result = await running;
      await drained(second);
      await second.stop();
      return `${result.answered}/${result.sent} answered across the crash; ${await assertAnsweredStoredOnce("kill -9", "kill9", result)}`;
    },
  ],
  [
    "retransmission storm (every packet sent 3 times at once, NAS retries, 20 % sent again with a new Identifier and Acct-Delay-Time)",
    async () => {
      const sensor = await sensorWith();
      const result = await runLoad(
        load(sensor.port, "storm", { duration: 5, copies: 3, resendFraction: 0.2, timeoutMs: 300 }),
      );
      const duplicatesInFlight = await sensor.metric("vpnsight_radius_duplicates_in_flight_total");
      await sensor.stop();
      if (result.resent === 0) throw new Error("storm: nothing was sent again as a new request");
      return `${result.answered} answered (${result.resent} of them re-sent records), ${result.retransmissions} retransmissions, ${duplicatesInFlight} duplicates ignored in flight; ${await assertAnsweredStoredOnce("storm", "storm", result)}; ${await assertCounters("storm", result)}`;
    },
  ],
  [
    "full spool: stops answering instead of answering unrecorded packets, recovers when space returns",
    async () => {
      const sensor = await sensorWith({ SPOOL_MAX_MB: "0.05" });
      await database.stop();
      const whileFull = await runLoad(load(sensor.port, "full", { duration: 4, rate: 500 }));
      const unanswered = await sensor.metric("vpnsight_radius_unanswered_total");
      if (whileFull.timedOut === 0 || unanswered === 0) throw new Error("full spool: the sensor kept answering");
      database = await startEmbeddedPostgres({ dataDir: workDir, port: pgPort });
      await drained(sensor);
      const after = await runLoad(load(sensor.port, "recovered", { duration: 2, rate: 500 }));
      await sensor.stop();
      if (after.timedOut > 0) throw new Error(`full spool: ${after.timedOut} timeouts after recovery`);
      const proof = await assertAnsweredStoredOnce("full spool", "full", whileFull);
      return `${whileFull.answered} answered while spooling, ${unanswered} refused once full (NAS retransmits); after recovery ${after.answered}/${after.sent} answered; ${proof}`;
    },
  ],
  [
    "failover: the primary killed under 2,000 req/s, its streaming standby promoted (Debian PostgreSQL 15)",
    async () => {
      if (!pg15Available()) throw new Error("postgresql-15 is not installed (.ci/run installs it)");
      const base = path.join(workDir, "cluster");
      const primary = startPrimary(base, pgPort + 1000);
      let standby: PgNode | null = null;
      try {
        await queryOn(primary.url("postgres"), "CREATE DATABASE vpnsight", []);
        await migrateDatabase(primary.url("vpnsight"));
        const prisma = createPrismaClient(primary.url("vpnsight"));
        await updateVpnSettings(prisma, parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: SECRET }), {
          label: "faults",
        });
        await prisma.$disconnect();
        standby = startStandby(base, primary, pgPort + 1001);
        // libpq's form: the sensor (and its detector) find the writable host themselves.
        const hosts = `postgresql://postgres@127.0.0.1:${primary.port},127.0.0.1:${standby.port}/vpnsight?target_session_attrs=read-write`;
        const sensor = await startSensor({
          DATABASE_URL: hosts,
          VPNSIGHT_DATA_DIR: path.join(workDir, "sensor-failover"),
          DB_WRITE_TIMEOUT_MS: "1000",
        });
        const running = runLoad(load(sensor.port, "failover", { duration: 12 }));
        await sleep(3000);
        killNode(primary);
        await sleep(2000); // an operator's (or Patroni's) reaction time
        promote(standby);
        const result = await running;
        await drained(sensor);
        const logs = sensor.logs();
        const drainedAt = Date.now();
        const on = <T extends pg.QueryResultRow>(sql: string, params: unknown[]) =>
          queryOn<T>(standby!.url("vpnsight"), sql, params);
        // Its heartbeat reaches the new primary too (a pool, not only the spool's replay, moved).
        await waitFor(
          async () => {
            const [row] = await on<{ at: Date | null }>(`SELECT max("lastHeartbeat") AS at FROM "SensorStatus"`, []);
            return (row?.at?.getTime() ?? 0) >= drainedAt;
          },
          30_000,
          "a heartbeat on the promoted standby",
        );
        await sensor.stop();
        if (!/storage mode: spool/.test(logs))
          throw new Error("failover: the sensor never spooled (was the primary killed?)");
        if (!/database primary changed/.test(logs))
          throw new Error("failover: the sensor never said it moved to the new primary");
        return `${result.answered}/${result.sent} answered (${result.timedOut} timed out); the sensor spooled, found the promoted standby from its host list and replayed; ${await assertAnsweredStoredOnce("failover", "failover", result, on)}`;
      } finally {
        if (standby) stopNode(standby);
        stopNode(primary);
      }
    },
  ],
];

async function main() {
  say(`Fault drills (${FULL ? "full" : "short"}) — ${new Date().toISOString()}`);
  const env = readEnv({
    ...process.env,
    DATABASE_URL: "",
    VPNSIGHT_DATA_DIR: workDir,
    VPNSIGHT_PG_PORT: String(pgPort),
  });
  database = await bootstrapDatabase({ env, migrate: "always", key: installationKey() });
  const prisma = createPrismaClient(database.url);
  await updateVpnSettings(prisma, parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: SECRET }), {
    label: "faults",
  });
  await prisma.$disconnect();
  let failed = 0;
  for (const [name, drill] of drills) {
    const started = Date.now();
    try {
      const proved = await drill();
      say(`✓ ${name} (${((Date.now() - started) / 1000).toFixed(0)} s)\n    ${proved}`);
    } catch (err) {
      failed += 1;
      say(`✗ ${name}\n    ${(err as Error).message}`);
    }
  }
  await database.stop();
  fs.rmSync(workDir, { recursive: true, force: true });
  say(`${drills.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
