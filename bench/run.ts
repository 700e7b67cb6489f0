// `npm run bench`: our sensor next to FreeRADIUS + rlm_sql (PostgreSQL) and FreeRADIUS
// accounting to nothing, same load, same machine, same run; then our latency at fixed rates.
// Prints a table and ratios, and checks after each run that answered == stored.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { storedRecords } from "./stored-records.ts";
import { startEmbeddedPostgres } from "../lib/db/embedded-postgres.ts";
import { readEnv } from "../lib/config/env.ts";
import { bootstrapDatabase } from "../lib/runtime/bootstrap.ts";
import { createPrismaClient } from "../lib/db/prisma.ts";
import { updateVpnSettings, VpnSettingsUpdateSchema } from "../lib/radius/vpn-settings.ts";
import { RADACCT_SCHEMA, freeradiusInstalled, startFreeradius } from "./freeradius.ts";
import { runLoad, type LoadOptions, type LoadResult } from "./load-generator.ts";
import { childPids, cpuSeconds, peakRssMb, postgresCpu, postgresCpuByKind, trackGroupMemory } from "./process-stats.ts";
import { startSensor, waitFor, type SensorProcess } from "../sensor/testing/sensor-process.ts";
import { CONNECTION_NAMES, readSensorEnv } from "../sensor/config.ts";
import { createTestCa } from "../lib/testing/test-pki.ts";
import { parseInput } from "../lib/errors.ts";
import { benchDetectorCost } from "./detector-cost.ts";
import { describeAnswerTimes, withAnswerTimes } from "./answer-times.ts";

const DURATION = Number(process.env.BENCH_SECONDS ?? 15);
const WINDOW = Number(process.env.BENCH_WINDOW ?? 128);
// Rounds of sensor → FreeRADIUS + SQL → FreeRADIUS-null, so a noisy moment hits one round, not one target.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SECRET = "bench-secret-0000001";
const RADSEC_PORT = 28134;
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-bench-"));
fs.chmodSync(workDir, 0o755);
process.env.VPNSIGHT_SECRET_KEY ??= randomBytes(32).toString("base64");

const log = (line: string) => process.stdout.write(`${line}\n`);
/** Stops what the bench started, newest first: at its end and on a failure, so nothing is left running. */
const started: (() => Promise<unknown>)[] = [];
async function stopStarted(): Promise<void> {
  for (const stop of started.splice(0).reverse()) await stop().catch(() => {});
}
const loadOptions = (port: number, runId: string, extra: Partial<LoadOptions> = {}): LoadOptions => ({
  host: "127.0.0.1",
  port,
  secret: SECRET,
  duration: DURATION,
  rate: Number(process.env.BENCH_RATE ?? 0),
  window: WINDOW,
  timeoutMs: 1000,
  tries: 3,
  identities: 20_000,
  nas: 50,
  interimsPerSession: 2,
  runId,
  ...extra,
});

interface Row {
  target: string;
  result: LoadResult;
  cpu: number;
  dbCpu: number;
  rssMb: number;
  /** Sensor + its detector child together (shared pages once), peak over the round and the backlog's judging. */
  groupMemoryMb?: number;
  check: string;
}

const postmasterPid = () =>
  Number(fs.readFileSync(path.join(workDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);

/** Runs the load and measures the target's CPU and peak RSS, and PostgreSQL's CPU (postmaster + backends). */
async function measure(
  pid: number,
  load: () => Promise<LoadResult>,
): Promise<{ result: LoadResult; cpu: number; dbCpu: number; rssMb: number }> {
  const cpuBefore = cpuSeconds(pid, true);
  const withChildrenBefore = cpuSeconds(pid);
  const dbBefore = cpuSeconds(postmasterPid());
  const generatorBefore = process.cpuUsage();
  const result = await load();
  const generator = process.cpuUsage(generatorBefore);
  log(`  (load generator used ${((generator.user + generator.system) / 1e6).toFixed(1)} CPU s)`);
  const cpu = cpuSeconds(pid, true) - cpuBefore;
  // The sensor's detector child (low priority): reported apart, it is not on the packet path.
  const children = cpuSeconds(pid) - withChildrenBefore - cpu;
  const childRss = childPids(pid).map(peakRssMb);
  if (childRss.length)
    log(
      `  (the sensor's detector process used ${Math.max(0, children).toFixed(1)} CPU s at low priority, peak RSS ${Math.max(...childRss).toFixed(0)} MB)`,
    );
  return { result, cpu, dbCpu: cpuSeconds(postmasterPid()) - dbBefore, rssMb: peakRssMb(pid) };
}

/**
 * The identity summary's size and share of in-place (HOT) updates since the bench started: every
 * record updates a row of it, so without HOT updates a busy sensor grows it (and the list's scan).
 */
async function summaryTableStats(db: pg.Client): Promise<string> {
  await new Promise((r) => setTimeout(r, 1100)); // backends report their statistics about once a second
  const { rows } = await db.query<{ rows: number; mb: number; updates: number; hot: number }>(
    `SELECT n_live_tup::int AS rows, pg_table_size(relid) / 1048576.0::float8 AS mb, n_tup_upd::int AS updates, n_tup_hot_upd::int AS hot
     FROM pg_stat_user_tables WHERE relname = 'Identity'`,
  );
  const r = rows[0]!;
  return `  (identity summary: ${r.rows} rows in ${r.mb.toFixed(1)} MB, ${r.updates ? ((100 * r.hot) / r.updates).toFixed(0) : 0} % of its ${r.updates} updates in place)`;
}

/**
 * Starts a sensor round's PostgreSQL figures: the WAL and checkpoint counters are server-wide, so
 * reset right before the round, not after the last one (FreeRADIUS + SQL and the detector's
 * catch-up run in between).
 */
const resetPgStats = (db: pg.Client) =>
  db.query("SELECT pg_stat_statements_reset(), pg_stat_reset_shared('wal'), pg_stat_reset_shared('checkpointer')");

/** The store statement as PostgreSQL saw it since resetPgStats (pg_stat_statements), with the WAL's checkpoints. */
async function storeStatementStats(db: pg.Client, records: number): Promise<string> {
  const { rows } = await db.query<{
    calls: number;
    exec_ms: number;
    plan_ms: number;
    wal_records: number;
    wal_bytes: number;
  }>(
    `SELECT calls::int, total_exec_time AS exec_ms, total_plan_time AS plan_ms, wal_records::int, wal_bytes::float8 AS wal_bytes
     FROM pg_stat_statements WHERE query LIKE 'WITH input AS%' AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  // Checkpoints make the next change to every page write a full-page image into the WAL.
  const wal = (
    await db.query<{ fpi: number; checkpoints: number; requested: number }>(
      `SELECT w.wal_fpi::int AS fpi, (c.num_timed + c.num_requested)::int AS checkpoints, c.num_requested::int AS requested
     FROM pg_stat_wal w, pg_stat_checkpointer c`,
    )
  ).rows[0]!;
  const r = rows[0];
  if (!r || !records) return "  (pg_stat_statements: no store statement seen)";
  return `  (pg_stat_statements: ${r.calls} store statements, ${(records / r.calls).toFixed(1)} records each, ${(r.exec_ms / r.calls).toFixed(2)} ms executing + ${(r.plan_ms / r.calls).toFixed(2)} ms planning each; per record ${((1000 * r.exec_ms) / records).toFixed(0)} µs, ${(r.wal_records / records).toFixed(1)} WAL records, ${(r.wal_bytes / records).toFixed(0)} WAL bytes; ${wal.checkpoints} checkpoints (${wal.requested} for WAL volume), ${wal.fpi} full-page images in the WAL)`;
}

/** Waits until the detector has judged every stored session; a line for the log. */
async function detectorCatchUp(db: pg.Client): Promise<string> {
  // A recording-only sensor (SENSOR_DETECTIONS=off, passed on to the bench's sensor) has no detector to wait for.
  if (!readSensorEnv().SENSOR_DETECTIONS) return "off (SENSOR_DETECTIONS=off)";
  const started = Date.now();
  let pending = { pending: -1, sessions: 0 };
  while (Date.now() - started < 180_000) {
    pending = (
      await db.query<{ pending: number; sessions: number }>(
        `SELECT count(*) FILTER (WHERE "detectedAt" IS NULL)::int AS pending, count(*)::int AS sessions FROM "VpnSession"`,
      )
    ).rows[0]!;
    if (pending.pending === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return pending.pending === 0
    ? `all ${pending.sessions} sessions judged ${((Date.now() - started) / 1000).toFixed(1)} s after the load stopped`
    : `${pending.pending} of ${pending.sessions} sessions still unjudged after 180 s`;
}

/** CPU per answered record, by process, of one load on the sensor (issue 22 item 4). */
interface CpuPerRecord {
  /** The server: the sensor (with PostgreSQL and its detector), or FreeRADIUS answering without storing. */
  who: "VPN Sight" | "FreeRADIUS-null";
  load: string;
  /**
   * µs per record: the sensor's process; PostgreSQL while the load ran, but for the detector's connections; the
   * detector's process (during the load and while it judged the load's sessions after it); the detector's connections
   * during the load and the whole server while it caught up (its queries, and autovacuum then).
   */
  sensor: number;
  db: number;
  detector: number;
  detectorDb: number;
}

/**
 * Runs a load on the sensor and then waits for the detector to judge its sessions, so that the detector's work for
 * those records is counted whether it ran during the load or after it (it defers while the sensor is busy).
 */
async function cpuPerRecord(
  sensor: SensorProcess,
  db: pg.Client,
  label: string,
  load: () => Promise<LoadResult>,
): Promise<{ measured: Awaited<ReturnType<typeof measure>>; perRecord: CpuPerRecord }> {
  const sensorPid = sensor.child.pid!;
  // The database batches of this load: how many records each carried, and how long each took.
  const batchStats = () =>
    Promise.all(
      ["vpnsight_store_batch_seconds_count", "vpnsight_store_batch_seconds_sum"].map((m) =>
        sensor.metric(m, 'target="database"'),
      ),
    );
  const batchesBefore = await batchStats();
  const detectorBefore = cpuSeconds(sensorPid) - cpuSeconds(sensorPid, true);
  const names = new Map<number, string>();
  const readNames = async () => {
    const { rows } = await db.query<{ pid: number; name: string }>(
      `SELECT pid, application_name AS name FROM pg_stat_activity WHERE application_name <> ''`,
    );
    for (const r of rows) names.set(r.pid, r.name);
  };
  await readNames();
  const pgBefore = postgresCpu(postmasterPid(), names);
  const measured = await measure(sensorPid, load);
  await readNames();
  const kinds = [...postgresCpuByKind(pgBefore, postgresCpu(postmasterPid(), names))].filter(([, s]) => s >= 0.05);
  // The detector may judge during a moderate load (it defers only while the sensor is busy): its queries are its cost.
  const detectorDuringLoad = kinds.find(([kind]) => kind === CONNECTION_NAMES.detector)?.[1] ?? 0;
  const [written, seconds] = (await batchStats()).map((n, i) => n - batchesBefore[i]!);
  if (written)
    log(
      `  (${label}: ${written} database batches, ${(measured.result.answered / written!).toFixed(1)} records and ${((1000 * seconds!) / written!).toFixed(1)} ms each)`,
    );
  log(`  (PostgreSQL's CPU during the load by process: ${kinds.map(([k, s]) => `${k} ${s.toFixed(1)} s`).join(", ")})`);
  const dbAfterLoad = cpuSeconds(postmasterPid());
  log(`  (detector: ${await detectorCatchUp(db)})`);
  const detector = cpuSeconds(sensorPid) - cpuSeconds(sensorPid, true) - detectorBefore;
  const records = measured.result.answered || 1;
  const us = (seconds: number) => (1e6 * Math.max(0, seconds)) / records;
  return {
    measured,
    perRecord: {
      who: "VPN Sight",
      load: label,
      sensor: us(measured.cpu),
      db: us(measured.dbCpu - detectorDuringLoad),
      detector: us(detector),
      detectorDb: us(detectorDuringLoad + cpuSeconds(postmasterPid()) - dbAfterLoad),
    },
  };
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : 0;
};

/** FreeRADIUS-to-nothing's CPU per answered record (its own process; it has no database). */
function freeradiusPerRecord(load: string, m: Awaited<ReturnType<typeof measure>>): CpuPerRecord {
  const us = (1e6 * m.cpu) / (m.result.answered || 1);
  return { who: "FreeRADIUS-null", load, sensor: us, db: 0, detector: 0, detectorDb: 0 };
}

/** The CPU table: sensor + PostgreSQL per record at each load against the flat-out rounds' median (target ≤ 1.5 ×). */
function logCpuPerRecord(rows: CpuPerRecord[]): void {
  const base = (who: string) =>
    median(rows.filter((r) => r.who === who && r.load === "flat out").map((r) => r.sensor + r.db));
  const n = (v: number, width: number) => v.toFixed(0).padStart(width);
  log(`\nCPU per answered record, µs, by process (target at 1,000 req/s: sensor + PostgreSQL ≤ 1.5 × flat out):`);
  log(
    `  ${"server".padEnd(17)}${"load".padEnd(14)}${"sensor".padStart(8)}${"PostgreSQL".padStart(12)}${"together".padStart(10)}${"× flat out".padStart(12)}${"detector".padStart(10)}${"its PG".padStart(10)}`,
  );
  for (const r of rows) {
    const together = r.sensor + r.db;
    const ratio = base(r.who) ? (together / base(r.who)).toFixed(2) : "";
    const ours = r.who === "VPN Sight";
    log(
      `  ${r.who.padEnd(17)}${r.load.padEnd(14)}${n(r.sensor, 8)}${ours ? n(r.db, 12) : "".padStart(12)}${n(together, 10)}${ratio.padStart(12)}${ours ? n(r.detector, 10) + n(r.detectorDb, 10) : ""}`,
    );
  }
  log(
    "  (PostgreSQL: the whole server during the load but the detector's connections. Detector: its process, during the load and while it judged the load's sessions after it; its PG: its connections during the load and the whole server while it caught up, autovacuum included. FreeRADIUS-null: its own process, answering without storing.)",
  );
}

/** The load, logging the sensor's own answer times over it (bench/answer-times.ts). */
async function sensorAnswerTimes(
  sensor: SensorProcess,
  label: string,
  load: () => Promise<LoadResult>,
): Promise<LoadResult> {
  const { result, answers, within } = await withAnswerTimes(sensor, load);
  if (answers) log(`  (${label}: the sensor's own answer times, arrival to answer: ${describeAnswerTimes(within)})`);
  return result;
}

/** The RadSec client's certificate (from a throw-away CA, given to the sensor as RADSEC_CA). */
async function radsecCredentials(): Promise<{ caFile: string; client: { cert: string; key: string } }> {
  const ca = await createTestCa("Bench RadSec CA");
  const client = await ca.issue("bench-nas");
  const caFile = path.join(workDir, "radsec-ca.pem");
  fs.writeFileSync(caFile, ca.certPem);
  return { caFile, client: { cert: client.certPem, key: client.keyPem } };
}

/** The sensor as shipped, on fixed ports; BENCH_CPU_PROF, BENCH_SENSOR_FLAGS and BENCH_SENSOR_LOG apply. */
async function startBenchSensor(databaseUrl: string, port: number, radsecCaFile: string): Promise<SensorProcess> {
  // BENCH_CPU_PROF=dir writes a V8 CPU profile of the sensor there (open in Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  // BENCH_SENSOR_LOG=file keeps the sensor's output (e.g. with BENCH_SENSOR_FLAGS=--trace-gc).
  const keep = process.env.BENCH_SENSOR_LOG ? fs.createWriteStream(process.env.BENCH_SENSOR_LOG) : undefined;
  return startSensor(
    {
      DATABASE_URL: databaseUrl,
      RADIUS_ACCT_PORT: String(port),
      SENSOR_METRICS_PORT: "28139",
      VPNSIGHT_DATA_DIR: path.join(workDir, "sensor"),
      SENSOR_ID: "bench",
      RADSEC_PORT: String(RADSEC_PORT),
      RADSEC_CA: radsecCaFile,
    },
    {
      nodeFlags: [...profile, ...(process.env.BENCH_SENSOR_FLAGS?.split(" ").filter(Boolean) ?? [])],
      onOutput: keep && ((chunk) => keep.write(chunk)),
    },
  );
}

async function main() {
  log(
    `VPN Sight benchmark — ${new Date().toISOString()} — ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
  );
  log(
    `load: flat out for ${DURATION} s per target and round, ${ROUNDS} rounds, window ${WINDOW}, Start → 2 × Interim → Stop, 4 vendor shapes\n`,
  );
  const pgPort = 59000 + Math.floor(Math.random() * 500);
  // BENCH_PG_STATS=1: pg_stat_statements on, and the store statement's figures printed per sensor round.
  const pgStats = process.env.BENCH_PG_STATS === "1";
  const flags = [
    ...(process.env.BENCH_PG_FLAGS ?? "").split(" ").filter(Boolean),
    ...(pgStats
      ? ["-c", "shared_preload_libraries=pg_stat_statements", "-c", "pg_stat_statements.track_planning=on"]
      : []),
  ];
  const server = await startEmbeddedPostgres({ dataDir: workDir, port: pgPort, database: "postgres", flags });
  started.push(() => server.stop());
  const dbUrl = (name: string) => server.url.replace(/\/postgres$/, `/${name}`);
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE vpnsight`);
  await admin.query(`CREATE DATABASE radius`);
  await admin.end();
  const rows: (Row & { round: number })[] = [];
  const cpuRows: CpuPerRecord[] = [];
  // BENCH_SENSOR_ONLY=1: only the flat-out sensor run (quick iterations while profiling).
  const sensorOnly = process.env.BENCH_SENSOR_ONLY === "1";
  const frInstalled = freeradiusInstalled();
  const withFreeradius = !sensorOnly && frInstalled;
  if (!sensorOnly && !withFreeradius)
    log(
      "FreeRADIUS not installed: `apt-get install -y freeradius freeradius-postgresql` for the side-by-side comparison.\n",
    );

  // (a) our sensor, (b) FreeRADIUS + rlm_sql on the same PostgreSQL (stock radacct schema and queries),
  // (c) FreeRADIUS answering accounting without storing it. All three stay up; the rounds interleave them.
  // The product's database starts as every entry point's does (the server itself is the benchmark's, with its flags).
  await bootstrapDatabase({
    env: readEnv(),
    url: dbUrl("vpnsight"),
    migrate: "always",
    key: Buffer.from(process.env.VPNSIGHT_SECRET_KEY!, "base64"),
  });
  const prisma = createPrismaClient(dbUrl("vpnsight"));
  await updateVpnSettings(prisma, parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: SECRET }), {
    label: "bench",
  });
  await prisma.$disconnect();
  const radsec = await radsecCredentials();
  const sensor = await startBenchSensor(dbUrl("vpnsight"), 28131, radsec.caFile);
  started.push(() => sensor.stop());
  await waitFor(async () => sensor.logs().includes("RadSec: listening"), 10_000, "the sensor's RadSec listener");
  const serverCert = fs.readFileSync(path.join(workDir, "sensor", "radsec", "server.crt"), "utf8");
  const overTls = (extra: Partial<LoadOptions> = {}): Partial<LoadOptions> => ({
    secret: "radsec",
    tls: { ...radsec.client, ca: serverCert },
    ...extra,
  });
  const vs = new pg.Client({ connectionString: dbUrl("vpnsight") });
  await vs.connect();
  const radius = new pg.Client({ connectionString: dbUrl("radius") });
  await radius.connect();
  started.push(
    () => vs.end(),
    () => radius.end(),
  );
  let frSql: Awaited<ReturnType<typeof startFreeradius>> | undefined;
  let frNull: Awaited<ReturnType<typeof startFreeradius>> | undefined;
  if (withFreeradius) {
    await radius.query(fs.readFileSync(RADACCT_SCHEMA, "utf8"));
    const password = decodeURIComponent(new URL(server.url).password);
    started.push(async () => frSql?.stop());
    frSql = await startFreeradius({
      dir: path.join(workDir, "fr-sql"),
      port: 28132,
      secret: SECRET,
      mode: "sql",
      db: { host: "127.0.0.1", port: pgPort, user: "postgres", password, database: "radius" },
    });
  }
  // FreeRADIUS answering without storing: the reference for latency and for CPU per record (also with BENCH_SENSOR_ONLY).
  if (frInstalled) {
    started.push(async () => frNull?.stop());
    frNull = await startFreeradius({ dir: path.join(workDir, "fr-null"), port: 28133, secret: SECRET, mode: "null" });
  }
  await runLoad(loadOptions(28131, "warmup", { duration: 2 }));
  if (pgStats) await vs.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");

  for (let round = 1; round <= ROUNDS; round++) {
    log(`round ${round} of ${ROUNDS}`);
    const memory = trackGroupMemory(sensor.child.pid!);
    if (pgStats) await resetPgStats(vs);
    const { measured: ours, perRecord } = await cpuPerRecord(sensor, vs, "flat out", () =>
      sensorAnswerTimes(sensor, "flat out", () => runLoad(loadOptions(28131, `sensor${round}`))),
    );
    cpuRows.push(perRecord);
    if (pgStats) log(await storeStatementStats(vs, ours.result.answered));
    log(await summaryTableStats(vs));
    const held = async <T extends pg.QueryResultRow>(sql: string, params: unknown[]) =>
      (await vs.query<T>(sql, params)).rows;
    const stored = (await storedRecords(held, `sensor${round}`)).keys.size;
    rows.push({
      round,
      target: "VPN Sight sensor",
      ...ours,
      groupMemoryMb: memory.stop(),
      check: `${stored} records stored / ${ours.result.answeredRecords.size} answered`,
    });

    // The same sensor over RadSec (TLS): one connection per 256 outstanding requests.
    const tlsRun = await measure(sensor.child.pid!, () =>
      runLoad(loadOptions(RADSEC_PORT, `radsec${round}`, overTls())),
    );
    const tlsStored = (await storedRecords(held, `radsec${round}`)).keys.size;
    rows.push({
      round,
      target: "VPN Sight sensor, RadSec (TLS)",
      ...tlsRun,
      check: `${tlsStored} records stored / ${tlsRun.result.answeredRecords.size} answered`,
    });

    if (frSql) {
      const sql = await measure(frSql.child.pid!, () => runLoad(loadOptions(28132, `frsql${round}`)));
      const radacct = await radius.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM radacct WHERE acctsessionid LIKE $1`,
        [`frsql${round}-%`],
      );
      rows.push({
        round,
        target: "FreeRADIUS + rlm_sql (PostgreSQL)",
        ...sql,
        check: `${radacct.rows[0]!.n} radacct rows / ${sql.result.sessionsAnswered.size} sessions answered`,
      });
    }
    if (frNull) {
      const nothing = await measure(frNull.child.pid!, () => runLoad(loadOptions(28133, `frnull${round}`)));
      rows.push({ round, target: "FreeRADIUS, accounting to nothing", ...nothing, check: "(stores nothing)" });
      cpuRows.push(freeradiusPerRecord("flat out", nothing));
    }
  }

  // Latency at fixed rates; FreeRADIUS-to-nothing at the same rates shows the floor of the
  // measurement itself (the generator's own scheduling and GC on the shared cores).
  const fixed: { rate: number; result: LoadResult; floor?: LoadResult; radsec?: LoadResult }[] = [];
  // BENCH_RATES=1000,5000 picks them (default: 1,000, 5,000 and 10,000; with BENCH_SENSOR_ONLY=1 only 1,000).
  const rates = (process.env.BENCH_RATES ?? (sensorOnly ? "1000" : "1000,5000,10000")).split(",").map(Number);
  for (const rate of rates) {
    const fixedLoad = (port: number, runId: string, extra: Partial<LoadOptions> = {}) =>
      runLoad(loadOptions(port, runId, { rate, window: 256, duration: Math.min(DURATION, 10), ...extra }));
    const label = `${rate.toLocaleString("en")} req/s`;
    const { measured, perRecord } = await cpuPerRecord(sensor, vs, label, () =>
      sensorAnswerTimes(sensor, label, () => fixedLoad(28131, `rate${rate}`)),
    );
    cpuRows.push(perRecord);
    const floor = async () => {
      if (!frNull) return undefined;
      const nothing = await measure(frNull.child.pid!, () => fixedLoad(28133, `frnullrate${rate}`));
      cpuRows.push(freeradiusPerRecord(label, nothing));
      return nothing.result;
    };
    fixed.push({
      rate,
      result: measured.result,
      floor: await floor(),
      radsec: rate <= 5000 ? await fixedLoad(RADSEC_PORT, `radsecrate${rate}`, overTls()) : undefined,
    });
  }
  await stopStarted();

  const pad = (s: string, n: number) => s.padEnd(n);
  log(
    `\n${pad("round", 7)}${pad("target", 36)}${pad("answered/s", 12)}${pad("p50 ms", 9)}${pad("p99 ms", 9)}${pad("timeouts", 10)}${pad("CPU s", 8)}${pad("DB CPU s", 10)}${pad("peak RSS MB", 13)}stored check`,
  );
  for (const r of rows) {
    log(
      `${pad(String(r.round), 7)}${pad(r.target, 36)}${pad(r.result.answeredPerSecond.toFixed(0), 12)}${pad(r.result.latencyMs.p50.toFixed(2), 9)}${pad(r.result.latencyMs.p99.toFixed(2), 9)}${pad(String(r.result.timedOut), 10)}${pad(r.cpu.toFixed(1), 8)}${pad(r.dbCpu.toFixed(1), 10)}${pad(r.rssMb.toFixed(0), 13)}${r.check}`,
    );
  }
  const rate = (round: number, target: string) =>
    rows.find((r) => r.round === round && r.target.startsWith(target))?.result.answeredPerSecond;
  const ratios = (target: string, scale: number) =>
    Array.from({ length: ROUNDS }, (_, i) => {
      const ours = rate(i + 1, "VPN Sight");
      const theirs = rate(i + 1, target);
      return ours && theirs ? (scale * ours) / theirs : null;
    }).filter((x): x is number => x !== null);
  const sqlRatios = ratios("FreeRADIUS +", 1);
  const nullRatios = ratios("FreeRADIUS,", 100);
  if (sqlRatios.length)
    log(`\nsensor / FreeRADIUS-SQL   = ${sqlRatios.map((x) => x.toFixed(2)).join(", ")} × by round (target ≥ 5)`);
  if (nullRatios.length)
    log(`sensor / FreeRADIUS-null  = ${nullRatios.map((x) => x.toFixed(0)).join(", ")} % by round (target ≥ 60 %)`);
  const tlsRatios = Array.from(
    { length: ROUNDS },
    (_, i) => (100 * (rate(i + 1, "VPN Sight sensor, RadSec") ?? 0)) / (rate(i + 1, "VPN Sight sensor") ?? 1),
  );
  log(
    `sensor RadSec / UDP       = ${tlsRatios.map((x) => x.toFixed(0)).join(", ")} % by round (answered/s over TLS against UDP, same sensor)`,
  );
  log(`\nsensor latency at fixed rates (target p99 ≤ 20 ms at 5,000 req/s):`);
  for (const f of fixed) {
    log(
      `  ${String(f.rate).padStart(6)} req/s offered → ${f.result.answeredPerSecond.toFixed(0).padStart(6)} answered/s, p50 ${f.result.latencyMs.p50.toFixed(2)} ms, p99 ${f.result.latencyMs.p99.toFixed(2)} ms, timeouts ${f.result.timedOut}`,
    );
    if (f.floor)
      log(
        `         FreeRADIUS-to-nothing, same rate: p50 ${f.floor.latencyMs.p50.toFixed(2)} ms, p99 ${f.floor.latencyMs.p99.toFixed(2)} ms (the measurement's floor)`,
      );
    if (f.radsec)
      log(
        `         the sensor over RadSec, same rate: ${f.radsec.answeredPerSecond.toFixed(0)} answered/s, p50 ${f.radsec.latencyMs.p50.toFixed(2)} ms, p99 ${f.radsec.latencyMs.p99.toFixed(2)} ms, timeouts ${f.radsec.timedOut}`,
      );
  }
  logCpuPerRecord(cpuRows);
  const sensorRows = rows.filter((r) => r.target.startsWith("VPN Sight sensor"));
  const lost = sensorRows.reduce((n, r) => n + r.result.answeredRecords.size - Number(r.check.split(" ")[0]), 0);
  const peakRss = Math.max(...sensorRows.map((r) => r.rssMb));
  const withDetector = Math.max(...sensorRows.map((r) => r.groupMemoryMb ?? 0));
  log(
    `\nsensor peak RSS ${peakRss.toFixed(0)} MB; with its detector process ${withDetector.toFixed(0)} MB ` +
      `(peak of both together, the node binary's shared pages counted once; target ≤ 200 MB); answered but not stored: ${lost}`,
  );
  fs.rmSync(workDir, { recursive: true, force: true });
  // The detector's cost with 1,000 exclusions (issue 20), on a database of its own.
  if ((await benchDetectorCost(log)) > 2) log("  detector cost with exclusions above its target");
  if (lost !== 0) process.exitCode = 1;
}

main().catch(async (err) => {
  console.error(err);
  await stopStarted();
  process.exit(1);
});
