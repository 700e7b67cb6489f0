// The detector: judges newly stored sessions and forwards alerts. The sensor runs it as a
// low-priority child process, so detection takes little CPU and no memory from the packet path:
// a burst is deferred (at most 30 s), under sustained load it works a tenth of the time
// (a Start is normally judged within seconds).
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { deliverDueAlerts } from "../lib/alerts/delivery.ts";
import { readEnv } from "../lib/config/env.ts";
import { log as baseLog } from "../lib/log.ts";
import { detectionSettingsFromEnv } from "../lib/alerts/detections.ts";
import { runPendingDetections } from "../lib/alerts/session-judging.ts";
import { purgeExpiredActivity } from "../lib/sessions/retention.ts";
import { addTimelinePartitions } from "../lib/sessions/partitions.ts";
import { LastSyncSchema } from "../lib/directory/settings.ts";
import { readScheduleFacts, syncDue } from "../lib/directory/schedule.ts";
import { purgeNasTraffic, reconcileHealthIssues } from "../lib/health/health-issues.ts";
import { deliverDueHealthEvents } from "../lib/health/forward.ts";
import { thinTimelineSlice } from "../lib/sessions/thin-timeline.ts";
import { CONNECTION_NAMES, readSensorEnv } from "./config.ts";
import { primaryPool } from "../lib/db/failover.ts";

const env = readEnv();
if (!env.DATABASE_URL) throw new Error("the detector needs DATABASE_URL (the sensor passes it)");
const logger = baseLog.child({ process: "detector" });
// Plain pg, not Prisma: this process then needs about 70 MB less memory.
const pool = primaryPool(env.DATABASE_URL, { max: 3, application_name: CONNECTION_NAMES.detector }, (msg, extra) =>
  logger.info(extra ?? {}, msg),
);
pool.on("error", () => {}); // an idle connection the server ended surfaces in the next query instead
const settings = detectionSettingsFromEnv(env);
const TICK_MS = 3000;
// While the sensor reports a burst (see detector-process.ts) the detector waits, so a burst
// never competes with detection for CPU or PostgreSQL; but at most this long after it last had
// nothing pending: under sustained load it then works for a share of the time (below), so
// alerts stay about this late instead of waiting for the load to end. (Tests shorten it.)
const MAX_DEFER_MS = env.VPNSIGHT_DETECTOR_MAX_DEFER_MS;
/**
 * Under sustained load, after a batch that took t ms the detector pauses BUSY_PAUSE × t: a tenth of
 * the time (its queries run in PostgreSQL at normal priority). A third slowed a 5,000 req/s sensor
 * on two cores to 4,549 answered/s; a tenth: 4,818, judging ≈ 150 sessions/s during the load (bench/README.md).
 */
const BUSY_PAUSE = 9;
/** Alert delivery runs at least this often while a backlog is being judged. */
const WORK_SLICE_MS = 5000;
let sensorBusy = false;
let lastCaughtUp = Date.now();
process.on("message", (m: { busy?: unknown }) => {
  if (typeof m?.busy === "boolean") sensorBusy = m.busy;
});
let stopping = false;

async function tick(): Promise<void> {
  if (sensorBusy && Date.now() - lastCaughtUp < MAX_DEFER_MS) {
    setTimeout(tick, TICK_MS);
    return;
  }
  let backlog = false;
  try {
    // Oldest first, 200 at a time, until nothing is pending (or this slice is used up).
    const sliceEnds = Date.now() + WORK_SLICE_MS;
    while (!stopping) {
      const started = Date.now();
      if ((await runPendingDetections(pool, settings)) === 0) {
        lastCaughtUp = Date.now();
        break;
      }
      if (Date.now() >= sliceEnds) {
        backlog = true;
        break;
      }
      if (sensorBusy) await sleep((Date.now() - started) * BUSY_PAUSE);
    }
    if (!stopping) await deliverDueAlerts(pool);
  } catch (err) {
    logger.warn({ error: (err as Error).message }, "detections paused");
  }
  if (!stopping) setTimeout(tick, backlog ? 0 : TICK_MS);
}

// Retention (RETENTION_DAYS): soon after start, then hourly; a slice at a time and never while the
// sensor is busy (the rest waits for the next round).
const FIRST_PURGE_MS = 5_000;
const PURGE_EVERY_MS = 3_600_000;
async function purge(): Promise<void> {
  try {
    const deleted = await purgeExpiredActivity(pool, env.RETENTION_DAYS, {
      mayContinue: () => !sensorBusy && !stopping,
    });
    if (deleted.partitions || deleted.events || deleted.sessions)
      logger.info(
        { ...deleted, retentionDays: env.RETENTION_DAYS },
        "deleted VPN activity older than the retention period",
      );
  } catch (err) {
    logger.warn({ error: (err as Error).message }, "retention paused until the next round");
  }
  if (!stopping) setTimeout(purge, PURGE_EVERY_MS);
}

// The directory sync (Settings › Identities › Directory): checked each minute, run when due in a child process of
// its own (never on the packet path; LDAP and the accounts' memory leave with it). With several sensors on one
// database, an advisory lock lets one of them run it.
const here = fileURLToPath(import.meta.url);
const SYNC_ENTRY = path.join(path.dirname(here), `directory-sync${path.extname(here)}`);
const SYNC_TIMEOUT_MS = 30 * 60_000;
async function directorySync(): Promise<void> {
  const client = await pool.connect().catch(() => null);
  try {
    if (!client || sensorBusy || !syncDue(await readScheduleFacts(pool), new Date())) return;
    const { rows } = await client.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_lock(hashtext('vpnsight.directory-schedule')) AS locked`,
    );
    if (!rows[0]?.locked) return;
    try {
      const out = await new Promise<string>((resolve, reject) =>
        execFile(
          process.execPath,
          // Not the sensor's heap cap: a large directory is read whole before it is applied.
          [
            ...process.execArgv.filter((a) => !/^--(cpu-prof|max-old-space-size|max-semi-space-size)/.test(a)),
            SYNC_ENTRY,
          ],
          { timeout: SYNC_TIMEOUT_MS, maxBuffer: 1 << 20 },
          (err, stdout, stderr) => (err ? reject(new Error(stderr.trim() || err.message)) : resolve(stdout)),
        ),
      );
      const outcome = LastSyncSchema.parse(JSON.parse(out.trim().split("\n").at(-1) ?? "{}"));
      if (outcome.error) logger.warn({ error: outcome.error }, "directory sync failed; the accounts read before stay");
      else logger.info({ ...outcome }, "directory synced");
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext('vpnsight.directory-schedule'))`);
    }
  } catch (err) {
    logger.warn({ error: (err as Error).message }, "directory sync could not run");
  } finally {
    client?.release();
    if (!stopping) setTimeout(directorySync, env.VPNSIGHT_DIRECTORY_CHECK_MS);
  }
}

// Health issues (Settings › Health): the checks open and close them, and their forwarding is sent, every few seconds,
// busy or not (they read a few small tables).
async function health(): Promise<void> {
  try {
    const { opened, closed } = await reconcileHealthIssues(pool);
    if (opened || closed) logger.info({ opened, closed }, "health issues changed");
    await deliverDueHealthEvents(pool);
    await purgeNasTraffic(pool);
  } catch (err) {
    logger.warn({ error: (err as Error).message }, "health checks paused");
  }
  if (!stopping) setTimeout(health, env.VPNSIGHT_HEALTH_CHECK_MS);
}

// The one-time thinning of timeline rows stored before they had to carry information: a slice each second while the
// sensor is not busy, until done (then never again).
const THIN_EVERY_MS = 1_000;
const staleHours = readSensorEnv().STALE_SESSION_HOURS;
let thinned = 0;
async function thin(): Promise<void> {
  let done = false;
  try {
    if (!sensorBusy) {
      const slice = await thinTimelineSlice(pool, staleHours);
      thinned += slice.deleted;
      done = slice.done;
      if (done && thinned)
        logger.info({ deleted: thinned }, "timeline thinned: Interim-Update rows that changed nothing");
    }
  } catch (err) {
    logger.warn({ error: (err as Error).message }, "timeline thinning paused");
  }
  if (!stopping && !done) setTimeout(thin, THIN_EVERY_MS);
}

// The timeline's monthly partitions: this month's and the next ones are made ahead (at start, then hourly), so a
// month never starts without one; records outside them wait in the default partition until theirs exists.
const PARTITIONS_EVERY_MS = 3_600_000;
async function partitions(): Promise<void> {
  try {
    const made = await addTimelinePartitions(pool);
    if (made) logger.info({ made }, "timeline partitions created for the months ahead");
  } catch (err) {
    logger.warn({ error: (err as Error).message }, "timeline partitions not created; retried within the hour");
  }
  if (!stopping) setTimeout(partitions, PARTITIONS_EVERY_MS);
}

async function stop() {
  if (stopping) return;
  stopping = true;
  await pool.end().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
// Started by a sensor: end with it, even when it was killed — also when it died while this process was
// still loading its modules, before the listener above existed (the event is then gone: an orphan for good).
process.on("disconnect", () => void stop());
if (!process.connected) void stop();
void tick();
if (env.RETENTION_DAYS > 0) setTimeout(purge, FIRST_PURGE_MS);
setTimeout(directorySync, Math.min(env.VPNSIGHT_DIRECTORY_CHECK_MS, 10_000));
setTimeout(health, Math.min(env.VPNSIGHT_HEALTH_CHECK_MS, 5_000));
setTimeout(thin, 2_000);
setTimeout(partitions, 3_000);
