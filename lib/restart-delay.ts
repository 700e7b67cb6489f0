const RESTART_DELAYS_MS = [1_000, 2_000, 5_000, 10_000]; // then every 10 s

/** How long to wait before the next start of something that stopped unexpectedly (attempt 0 = first restart). */
export function restartDelayMs(attempt: number): number {
  return RESTART_DELAYS_MS[Math.min(attempt, RESTART_DELAYS_MS.length - 1)]!;
}
