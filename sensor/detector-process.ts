import { spawn, type ChildProcess } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { RestartBackoff } from "../lib/runtime/restart-delay.ts";

// Background priority: the packet path and PostgreSQL come first.
const DETECTOR_NICE = 10;
/** Above this many answered requests per second the sensor counts as busy: the detector waits. */
const BUSY_REQUESTS_PER_SECOND = 1000;
/** Quiet seconds after a burst before the detector may work again. */
const CALM_SECONDS = 5;

/**
 * Runs sensor/detector in a child process (same runtime flags, so it is TypeScript
 * under tsx and JavaScript when precompiled), restarts it if it dies, and tells it each
 * second whether the sensor is busy (from `accepted`, the count of answered requests).
 */
export function superviseDetector(
  databaseUrl: string,
  accepted: () => number,
  log: (msg: string, extra?: object) => void,
) {
  const here = fileURLToPath(import.meta.url);
  const entry = path.join(path.dirname(here), `detector${path.extname(here)}`);
  let child: ChildProcess | null = null;
  let stopped = false;
  let restartTimer: NodeJS.Timeout | undefined;
  const backoff = new RestartBackoff();

  const start = () => {
    const started = Date.now();
    child = spawn(process.execPath, [...process.execArgv.filter((a) => !a.startsWith("--cpu-prof")), entry], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    try {
      os.setPriority(child.pid!, DETECTOR_NICE);
    } catch {
      // Not allowed here: it still works, only at normal priority.
    }
    child.once("exit", (code, signal) => {
      child = null;
      if (stopped) return;
      const delay = backoff.next(Date.now() - started);
      log("detector exited; restarting", { code, signal, inSeconds: delay / 1000 });
      restartTimer = setTimeout(start, delay);
    });
  };
  start();

  // Busy at once when a burst starts; calm again only after CALM_SECONDS quiet seconds, so a
  // pause inside a burst does not let the detector in (it then defers its work, see detector.ts).
  let acceptedBefore = accepted();
  let quietSeconds = CALM_SECONDS;
  const loadTimer = setInterval(() => {
    const now = accepted();
    quietSeconds = now - acceptedBefore > BUSY_REQUESTS_PER_SECOND ? 0 : quietSeconds + 1;
    acceptedBefore = now;
    if (child?.connected) child.send({ busy: quietSeconds < CALM_SECONDS }, () => {});
  }, 1000);

  return {
    stop: () =>
      new Promise<void>((resolve) => {
        stopped = true;
        clearTimeout(restartTimer);
        clearInterval(loadTimer);
        const running = child;
        if (!running || running.exitCode !== null) return resolve();
        running.once("exit", () => resolve());
        running.kill("SIGTERM");
      }),
  };
}
