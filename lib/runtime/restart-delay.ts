// The one restart policy of the product's supervisors: npm start's children (scripts/start.ts), the sensor's
// detector process (sensor/detector-process.ts) and the embedded PostgreSQL (lib/db/embedded-postgres.ts).
const RESTART_DELAYS_MS = [1_000, 2_000, 5_000, 10_000]; // then every 10 s
/** A run this long was healthy: its exit starts the backoff over rather than continuing a crash loop. */
const HEALTHY_RUN_MS = 60_000;

/** How long to wait before the next start of something that stopped unexpectedly (attempt 0 = first restart). */
export function restartDelayMs(attempt: number): number {
  return RESTART_DELAYS_MS[Math.min(attempt, RESTART_DELAYS_MS.length - 1)]!;
}

/** Backoff for one supervised thing: longer waits while it keeps failing, from the start again once it ran well. */
export class RestartBackoff {
  private attempt = 0;

  /** The wait before the next start; `ranForMs`: how long the run that just ended lasted (0: it did not start). */
  next(ranForMs = 0): number {
    if (ranForMs > HEALTHY_RUN_MS) this.attempt = 0;
    return restartDelayMs(this.attempt++);
  }

  /** It is running again. */
  reset(): void {
    this.attempt = 0;
  }
}
