// The VPN Sight sensor: RFC 2866 accounting server. Started by `npm start`
// beside the portal, alone by `npm run sensor`.
import path from "node:path";
import { bootstrapDatabase } from "../lib/runtime/bootstrap.ts";
import { primaryPool } from "../lib/db/failover.ts";
import { openGeoLocator } from "../lib/geo/locator.ts";
import { openNetworkLocator } from "../lib/geo/network.ts";
import { log as baseLog } from "../lib/log.ts";
import { installationKey } from "../lib/secrets/installation-key.ts";
import { CONNECTION_NAMES, ConfigWatcher, readSensorEnv } from "./config.ts";
import { superviseDetector } from "./detector-process.ts";
import { DurableWriter } from "./durable-writer.ts";
import { writeHeartbeat } from "./heartbeat.ts";
import { SensorMetrics, serveMetrics } from "./metrics.ts";
import { RadsecService } from "./radsec-service.ts";
import { RequestHandler } from "./request-handler.ts";
import { Spool, countSetAside } from "./spool.ts";
import { UdpListener, hostPort } from "./udp-listener.ts";
import { closeStaleSessions, isRefusedByDatabase, writeAccountingRecords } from "../lib/sessions/store.ts";
import { HEARTBEAT_INTERVAL_MS } from "../lib/radius/sensors.ts";

const env = readSensorEnv();
const logger = baseLog.child({ sensorId: env.sensorId });
const log = (msg: string, extra?: object) => logger.info(extra ?? {}, msg);

// SENSOR_DATABASE_URL or DATABASE_URL (npm start passes the sensor's), else the embedded database in $VPNSIGHT_DATA_DIR.
const database = await bootstrapDatabase({
  env,
  url: env.SENSOR_DATABASE_URL ?? env.DATABASE_URL,
  migrate: "if-owned",
  key: installationKey(),
  mayStartWithoutDatabase: true,
  log,
});
const pool = primaryPool(
  database.url,
  { max: 4, connectionTimeoutMillis: 2000, application_name: CONNECTION_NAMES.sensor },
  log,
);
pool.on("error", (err) => logger.warn({ error: err.message }, "database connection error"));
const metrics = new SensorMetrics();
const spool = new Spool(path.join(env.dataDir, "spool"), env.SPOOL_MAX_MB * 1024 * 1024);
const config = new ConfigWatcher(pool, database.url, installationKey(), env.dataDir, log);
const geo = openGeoLocator();
const network = openNetworkLocator();
const startedAt = new Date();
/** Since when the spool has held records: a health issue ("spool in use") opens at this time. */
let spoolSince: Date | null = null;

const writer = new DurableWriter({
  writeToDatabase: (records) => writeAccountingRecords(pool, records, env.sensorId),
  databaseReachable: async () => {
    try {
      await pool.query("SELECT 1");
      return true;
    } catch {
      return false;
    }
  },
  isRefused: isRefusedByDatabase,
  onRefused: (record, err, answered) => {
    // What identifies the record for an admin; a record holds no secret.
    const which =
      "sessionKey" in record
        ? { userName: record.userName, acctSessionId: record.acctSessionId, nas: record.nasKey }
        : { nas: record.nasKey };
    if (answered) metrics.setAside.inc();
    const outcome = answered ? "a spooled record: kept in spool/refused.jsonl" : "a record: not answered";
    logger.error({ ...which, kind: record.kind, error: err.message }, `the database refused ${outcome}`);
  },
  spool,
  maxBatch: 500,
  maxConcurrentBatches: 1,
  maxDelayMs: env.SENSOR_BATCH_WAIT_MS,
  writeTimeoutMs: env.DB_WRITE_TIMEOUT_MS,
  onBatch: (size, target, seconds) => {
    metrics.batchSeconds.observe({ target }, seconds);
    metrics.recordsDurable.inc({ target }, size);
    metrics.spoolDepth.set(spool.depth);
  },
  onModeChange: (mode) => {
    if (mode === "spool") spoolSince ??= new Date();
    log(`storage mode: ${mode}`);
  },
  log,
});

const handler = new RequestHandler({
  config: () => config.current,
  writer,
  metrics,
  geolocate: (ip) => geo.lookup(ip),
  networkOf: (ip) => network.lookup(ip),
  canRecord: () => writer.mode === "database" || spool.hasRoom,
  log,
});
const udp = new UdpListener(env.RADIUS_ACCT_PORT, env.RADIUS_BIND, handler, log);
const radsec = new RadsecService(env, { handler, metrics, config: () => config.current, log });

async function main() {
  await config.start();
  await udp.start();
  await radsec.start();
  const listening = () =>
    [...udp.addresses.map((a) => `udp ${hostPort(a, env.RADIUS_ACCT_PORT)}`), ...radsec.listening].join(", ");
  const metricsServer = env.SENSOR_METRICS_PORT
    ? serveMetrics(metrics, env.SENSOR_METRICS_PORT, env.SENSOR_METRICS_BIND, () => ({
        ok: true,
        detail: { mode: writer.mode, spoolDepth: spool.depth, enabled: config.current.enabled },
      }))
    : null;
  log(`listening for RADIUS accounting on ${listening() || "(no address yet)"}`, {
    enabled: config.current.enabled,
    geo: geo.source,
  });

  const heartbeat = async () => {
    if (spool.depth === 0 && writer.mode === "database") spoolSince = null;
    else spoolSince ??= new Date();
    try {
      await writeHeartbeat(pool, {
        sensorId: env.sensorId,
        startedAt,
        lastAcceptedAt: metrics.lastAcceptedAt,
        lastDroppedAt: metrics.lastDroppedAt,
        spoolDepth: spool.depth,
        spoolSince,
        setAside: await countSetAside(path.join(env.dataDir, "spool")),
        addresses: udp.addresses,
        listening: listening(),
        radsec: radsec.status,
        ...metrics.snapshot(),
      });
      await metrics.bySource.flush(pool, env.sensorId);
    } catch {
      // The database is away: the next heartbeat tells (the counts by source wait for it).
    }
  };
  void heartbeat();
  const heartbeatTimer = setInterval(heartbeat, HEARTBEAT_INTERVAL_MS);
  let stopping = false;
  // Detections and alert forwarding run in a low-priority child process (sensor/detector.ts).
  const detector = env.SENSOR_DETECTIONS
    ? superviseDetector(database.url, () => metrics.snapshot().accepted, log)
    : null;
  const sweepTimer = setInterval(() => {
    if (writer.mode === "database") void closeStaleSessions(pool, env.STALE_SESSION_HOURS).catch(() => {});
  }, 60_000);

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stop reading, flush, answer, exit`);
    handler.stopReading();
    await writer.close();
    await handler.drained();
    await Promise.all([udp.close(), radsec.close()]);
    clearInterval(heartbeatTimer);
    clearInterval(sweepTimer);
    await detector?.stop();
    await heartbeat();
    metricsServer?.close();
    await config.stop();
    await pool.end().catch(() => {});
    await database.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((err) => {
  logger.error({ error: (err as Error).message }, "sensor failed to start");
  process.exit(1);
});
