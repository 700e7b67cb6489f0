// Starts the real sensor, as shipped (compiled by scripts/build-sensor.mjs), as a child process for integration tests.
import { spawn, type ChildProcess } from "node:child_process";
import dgram from "node:dgram";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SENSOR_BUILD_DIR, SENSOR_NODE_FLAGS, buildSensor } from "../../scripts/build-sensor.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface SensorProcess {
  port: number;
  metricsPort: number;
  child: ChildProcess;
  logs: () => string;
  metric: (name: string, labels?: string) => Promise<number>;
  health: () => Promise<{ ok: boolean; mode: string; spoolDepth: number; enabled: boolean }>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = dgram.createSocket("udp4");
    s.bind(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

let built: Promise<string> | undefined;
/** Compiles the sensor once per test process (vitest's global setup compiled it already; this is for scripts). */
function builtSensor(): Promise<string> {
  built ??= process.env.VPNSIGHT_SENSOR_BUILT
    ? Promise.resolve(path.join(SENSOR_BUILD_DIR, "main.mjs"))
    : buildSensor();
  return built;
}

export interface StartOptions {
  /** Node flags for the sensor process besides its own (the bench: --cpu-prof, --trace-gc, …; later ones win). */
  nodeFlags?: string[];
  /** Every chunk of the sensor's output, besides what logs() keeps. */
  onOutput?: (chunk: Buffer) => void;
  /** A command the sensor runs under, e.g. ["ip", "netns", "exec", "ns1"] (multi-homed tests). */
  prefix?: string[];
}

const KEPT_OUTPUT = 1_000_000; // characters of output logs() keeps (a long bench run with --trace-gc prints more)

export async function startSensor(env: Record<string, string>, opts: StartOptions = {}): Promise<SensorProcess> {
  const port = Number(env.RADIUS_ACCT_PORT ?? (await freePort()));
  const metricsPort = Number(env.SENSOR_METRICS_PORT ?? 20000 + Math.floor(Math.random() * 20000));
  let output = "";
  const [command, ...args] = [
    ...(opts.prefix ?? []),
    process.execPath,
    ...SENSOR_NODE_FLAGS,
    ...(opts.nodeFlags ?? []),
    await builtSensor(),
  ];
  const child = spawn(command!, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      RADIUS_BIND: "127.0.0.1",
      ...env,
      RADIUS_ACCT_PORT: String(port),
      SENSOR_METRICS_PORT: String(metricsPort),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const onOutput = (chunk: Buffer) => {
    if (output.length < KEPT_OUTPUT) output += chunk;
    opts.onOutput?.(chunk);
  };
  child.stdout!.on("data", onOutput);
  child.stderr!.on("data", onOutput);
  const deadline = Date.now() + 30_000;
  while (!output.includes("listening for RADIUS accounting")) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`sensor did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const metricsText = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return {
    port,
    metricsPort,
    child,
    logs: () => output,
    async metric(name, labels = "") {
      // The sum over every series of `name` that has all the given labels (e.g. every transport of one reason).
      const wanted = labels.split(/,(?=\w+=")/).filter(Boolean);
      return (await metricsText())
        .split("\n")
        .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
        .filter((l) =>
          wanted.every((w) =>
            l
              .slice(name.length)
              .split(" ")[0]!
              .replace(/^\{|\}$/g, "")
              .split(/,(?=\w+=")/)
              .includes(w),
          ),
        )
        .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);
    },
    async health() {
      return (await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).json();
    },
    stop(signal = "SIGTERM") {
      return new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once("exit", (code) => resolve(code));
        child.kill(signal);
      });
    },
  };
}

/** Sends one datagram and waits for an answer (null on timeout). */
export function sendAndWait(port: number, packet: Buffer, timeoutMs = 1500): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket("udp4");
    const timer = setTimeout(() => {
      socket.close();
      resolve(null);
    }, timeoutMs);
    socket.on("message", (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(msg);
    });
    socket.send(packet, port, "127.0.0.1");
  });
}

export async function waitFor<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 10_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
