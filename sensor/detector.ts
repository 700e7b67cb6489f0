// The detector: judges newly stored sessions and forwards alerts. The sensor runs it as a
// low-priority child process, so detection never takes CPU or memory from the packet path:
// during a burst it waits and catches up afterwards (a Start is normally judged within seconds).
import pg from "pg";
import { deliverDueAlerts } from "../lib/alert-delivery.ts";
import { readEnv } from "../lib/config/env.ts";
import { log as baseLog } from "../lib/log.ts";
import { detectionSettingsFromEnv } from "../lib/detections.ts";
import { runPendingDetections } from "../lib/session-judging.ts";

const env = readEnv();
if (!env.DATABASE_URL) throw new Error("the detector needs DATABASE_URL (the sensor passes it)");
const logger = baseLog.child({ process: "detector" });
// Plain pg, not Prisma: this process then needs about 70 MB less memory.
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 2 });
pool.on("error", () => {}); // an idle connection the server ended surfaces in the next query instead
const settings = detectionSettingsFromEnv(env);
const TICK_MS = 3000;
// While the sensor reports a burst (see detector-process.ts) the detector waits, so it never
// competes with the packet path for CPU or PostgreSQL; it still judges one batch this often.
const MAX_DEFER_MS = 30_000;
let sensorBusy = false;
let lastWorked = Date.now();
process.on("message", (m: { busy?: unknown }) => {
  if (typeof m?.busy === "boolean") sensorBusy = m.busy;
});
let stopping = false;

async function tick(): Promise<void> {
  if (sensorBusy && Date.now() - lastWorked < MAX_DEFER_MS) {
    setTimeout(tick, TICK_MS);
    return;
  }
  lastWorked = Date.now();
  try {
    // Oldest first, 200 at a time, until nothing is pending or a burst begins (one batch when overdue).
    do {
      if ((await runPendingDetections(pool, settings)) === 0) break;
    } while (!stopping && !sensorBusy);
    if (!stopping) await deliverDueAlerts(pool);
  } catch (err) {
    logger.warn({ error: (err as Error).message }, "detections paused");
  }
  if (!stopping) setTimeout(tick, TICK_MS);
}

async function stop() {
  if (stopping) return;
  stopping = true;
  await pool.end().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
// Started by a sensor: end with it, even when it was killed.
process.on("disconnect", () => void stop());
void tick();
