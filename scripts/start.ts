// `npm start`: embedded PostgreSQL (unless DATABASE_URL), migrations, first
// admin, then the portal (next start) and, beside it, the sensor.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SENSOR_NODE_FLAGS, buildSensor } from "./build-sensor.mjs";
import { ensurePrismaClient } from "./ensure-prisma-client.mjs";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
ensurePrismaClient();

const { readEnv, dataDirOf } = await import("../lib/config/env.ts");
const { readOrCreateSecretFile, randomBase64 } = await import("../lib/data-files.ts");
const { bootstrapDatabase } = await import("../lib/runtime/bootstrap.ts");
const { createPrismaClient } = await import("../lib/db/prisma.ts");
const { loadSecretKey } = await import("../lib/secrets/secret-box.ts");
const { ensureFirstAdmin } = await import("../lib/auth/first-admin.ts");
const { RestartBackoff } = await import("../lib/runtime/restart-delay.ts");

/** A child whose first run ends within this time failed to start (rather than crashed). */
const STARTUP_MS = 10_000;

const say = (line: string) => process.stdout.write(`[vpnsight] ${line}\n`);

/** Newest modification time under the sources that make up the Next build. */
function newestSourceMtime(): number {
  let newest = 0;
  const visit = (p: string) => {
    if (!fs.existsSync(p)) return;
    const stat = fs.statSync(p);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(p)) visit(path.join(p, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const p of [
    "app",
    "lib",
    "public",
    "proxy.ts",
    "next.config.js",
    "postcss.config.mjs",
    "package-lock.json",
    "tsconfig.json",
  ]) {
    visit(path.join(root, p));
  }
  return newest;
}

function buildIfStale(): void {
  const buildId = path.join(root, ".next", "BUILD_ID");
  if (fs.existsSync(buildId) && fs.statSync(buildId).mtimeMs >= newestSourceMtime()) return;
  say("Building the portal (next build); this takes a minute the first time…");
  const result = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error("next build failed");
}

async function main() {
  const env = readEnv();
  const dataDir = dataDirOf(env);
  fs.mkdirSync(dataDir, { recursive: true });
  const key = loadSecretKey(dataDir, env.VPNSIGHT_SECRET_KEY);
  const nextAuthSecret =
    env.NEXTAUTH_SECRET ?? readOrCreateSecretFile(dataDir, "nextauth.secret", () => randomBase64(32));

  buildIfStale();
  const database = await bootstrapDatabase({ env, migrate: "always", key, log: say });
  say(database.owned ? `Embedded PostgreSQL running (data in ${dataDir}/postgres)` : "Using the configured database");
  // Meanwhile the sensor spools what it acknowledges and the portal reports the outage.
  database.keepRunning?.(say);
  const children = new Map<string, ChildProcess>();
  const restartTimers = new Set<NodeJS.Timeout>();
  let stopping = false;

  async function shutdown(code: number) {
    if (stopping) return;
    stopping = true;
    for (const timer of restartTimers) clearTimeout(timer);
    await Promise.all(
      [...children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      ),
    );
    await database.stop();
    process.exit(code);
  }
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  try {
    const prisma = createPrismaClient(database.url);
    const admin = await ensureFirstAdmin(prisma, env);
    await prisma.$disconnect();
    if (admin?.generated) {
      say("First admin created. Sign in with:");
      process.stdout.write(`\n    email:    ${admin.email}\n    password: ${admin.password}\n\n`);
      say(
        `This password is shown only once. Change it in the portal under Settings › Your account (or: npx vpnsight user reset-password --email ${admin.email})`,
      );
    } else if (admin) {
      say(`First admin created: ${admin.email} (password from ADMIN_PASSWORD)`);
    }
  } catch (err) {
    process.stderr.write(`[vpnsight] ${(err as Error).message}\n`);
    await shutdown(1);
    return;
  }

  // What only start.ts needs (the first admin's password) reaches no child; the portal's session key not the sensor.
  // Each child gets its own database role's URL (lib/db/roles.ts), never the owner's.
  const {
    ADMIN_PASSWORD: _adminPassword,
    ADMIN_EMAIL: _adminEmail,
    MIGRATION_DATABASE_URL: _owner,
    SENSOR_DATABASE_URL: _sensorUrl,
    ...inherited
  } = process.env;
  const childEnv: NodeJS.ProcessEnv = {
    ...inherited,
    DATABASE_URL: database.url,
    VPNSIGHT_DATA_DIR: dataDir,
    VPNSIGHT_SECRET_KEY: key.toString("base64"),
    NEXTAUTH_SECRET: nextAuthSecret,
    NEXTAUTH_URL: env.NEXTAUTH_URL ?? `http://localhost:${env.PORT}`,
    RADIUS_ACCT_PORT: String(env.RADIUS_ACCT_PORT),
    PORT: String(env.PORT),
    NEXT_TELEMETRY_DISABLED: "1",
  };
  /**
   * A child that fails while starting (a port in use, a bad setting) takes the product down with its message;
   * one that dies later (a crash, a kill) is started again, so the NAS's retransmissions find a sensor.
   */
  const sensorDatabaseUrl = database.owned ? database.url : (env.SENSOR_DATABASE_URL ?? database.url);
  const startChild = (service: "portal" | "sensor", args: string[]) => {
    const backoff = new RestartBackoff();
    let firstRun = true;
    const run = () => {
      const started = Date.now();
      const { NEXTAUTH_SECRET: _sessionKey, NEXTAUTH_URL: _url, ...sensorEnv } = childEnv;
      const env = service === "portal" ? childEnv : { ...sensorEnv, DATABASE_URL: sensorDatabaseUrl };
      const child = spawn(process.execPath, args, {
        cwd: root,
        stdio: "inherit",
        env: { ...env, VPNSIGHT_SERVICE: service },
      });
      children.set(service, child);
      child.on("exit", (code, signal) => {
        if (stopping) return;
        const ranFor = Date.now() - started;
        if (firstRun && ranFor < STARTUP_MS) {
          process.stderr.write(`[vpnsight] the ${service} exited while starting (code ${code}); stopping\n`);
          void shutdown(code ?? 1);
          return;
        }
        firstRun = false;
        const delay = backoff.next(ranFor);
        process.stderr.write(
          `[vpnsight] the ${service} exited unexpectedly (${signal ?? `code ${code}`}); starting it again in ${delay / 1000} s\n`,
        );
        const timer = setTimeout(() => {
          restartTimers.delete(timer);
          if (!stopping) run();
        }, delay);
        restartTimers.add(timer);
      });
    };
    run();
  };
  startChild("portal", [path.join(root, "scripts/portal-server.mjs")]);
  say(`Portal: http://localhost:${env.PORT}`);
  startChild("sensor", [...SENSOR_NODE_FLAGS, await buildSensor()]);
  say(`Sensor: RADIUS accounting on UDP ${env.RADIUS_ACCT_PORT}`);
}

main().catch((err) => {
  process.stderr.write(`[vpnsight] ${(err as Error).message}\n`);
  process.exit(1);
});
