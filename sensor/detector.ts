// The detector: judges newly stored sessions and forwards alerts. The sensor runs it as a
// low-priority child process, so detection never takes CPU or memory from the packet path:
// under a burst it falls behind and catches up afterwards (a Start is normally judged within seconds).
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
// At most 1,000 sessions per tick (333/s, far above a real fleet's rate of new sessions):
// after a burst the backlog is judged over the next ticks, never in competition with it.
const ROUNDS_PER_TICK = 5;
let stopping = false;

async function tick(): Promise<void> {
  try {
    // Oldest first, 200 at a time.
    for (let round = 0; round < ROUNDS_PER_TICK && !stopping; round++) {
      if ((await runPendingDetections(prisma, settings)) === 0) break;
    }
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
