// The detector: judges newly stored sessions and forwards alerts. The sensor runs it as a
// low-priority child process, so detection never takes CPU or memory from the packet path:
// during a burst it waits and catches up afterwards (a Start is normally judged within seconds).
import { deliverDueAlerts } from "../lib/alert-forwarding.ts";
import { detectionSettingsFromEnv, runPendingDetections } from "../lib/alerts.ts";
import { readEnv } from "../lib/config/env.ts";
import { createPrismaClient } from "../lib/db/prisma.ts";
import { log as baseLog } from "../lib/log.ts";

const env = readEnv();
if (!env.DATABASE_URL) throw new Error("the detector needs DATABASE_URL (the sensor passes it)");
const logger = baseLog.child({ process: "detector" });
const prisma = createPrismaClient(env.DATABASE_URL);
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
      if ((await runPendingDetections(prisma, settings)) === 0) break;
    } while (!stopping && !sensorBusy);
    if (!stopping) await deliverDueAlerts(prisma);
  } catch (err) {
    logger.warn({ error: (err as Error).message }, "detections paused");
  }
  if (!stopping) setTimeout(tick, TICK_MS);
}

async function stop() {
  if (stopping) return;
  stopping = true;
  await prisma.$disconnect().catch(() => {});
  process.exit(0);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
// Started by a sensor: end with it, even when it was killed.
process.on("disconnect", () => void stop());
void tick();
