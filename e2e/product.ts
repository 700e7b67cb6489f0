// Runs the real product (`npm start`'s script) for the end-to-end tests, on its
// own data dir, embedded PostgreSQL and ports; restartable from a test.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const E2E_PORT = Number(process.env.E2E_PORT ?? 3311);
export const PG_PORT = Number(process.env.E2E_PG_PORT ?? 54611);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const STATE_FILE = path.join(os.tmpdir(), "vpnsight-e2e-state.json");

export const ADMIN = { email: "admin@e2e.test", password: "admin-password-e2e-1" };
export const ANALYST = { email: "analyst@e2e.test", password: "analyst-password-e2e-1" };
export const VIEWER = { email: "viewer@e2e.test", password: "viewer-password-e2e-1" };

export interface ProductState {
  dataDir: string;
  logFile: string;
  pid: number;
  adminToken: string;
  viewerToken: string;
}

export const readState = (): ProductState => JSON.parse(fs.readFileSync(STATE_FILE, "utf8"));
export const writeState = (state: ProductState) => fs.writeFileSync(STATE_FILE, JSON.stringify(state));

function productEnv(dataDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: "",
    PORT: String(E2E_PORT),
    VPNSIGHT_DATA_DIR: dataDir,
    VPNSIGHT_PG_PORT: String(PG_PORT),
    RADIUS_ACCT_PORT: "18130",
    SENSOR_METRICS_PORT: "19830",
    RADSEC_PORT: "20830",
    // The SIEM drill (vpn-settings.spec) listens on loopback, which forwarding refuses by default.
    ALERT_FORWARDING_ALLOW_PRIVATE: "1",
    // A TLS-terminating proxy at 127.0.0.3 (users.spec: Secure cookies); the browser's 127.0.0.1 is not trusted.
    TRUSTED_PROXIES: "127.0.0.3",
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  };
}

export async function startProduct(dataDir: string, logFile: string): Promise<number> {
  const out = fs.openSync(logFile, "a");
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    cwd: ROOT,
    env: productEnv(dataDir),
    stdio: ["ignore", out, out],
    detached: true,
  });
  child.unref();
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the product exited early; see ${logFile}`);
    try {
      const res = await fetch(`http://localhost:${E2E_PORT}/api/v1/openapi.json`);
      if (res.ok) return child.pid!;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the product did not answer within 180 s; see ${logFile}`);
}

/** SIGTERM, as an operator would stop it, and wait until the whole group is gone. */
export async function stopProduct(pid: number): Promise<void> {
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      process.kill(-pid, 0);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  process.kill(-pid, "SIGKILL");
}

/** Runs the real CLI against the product's data dir (the embedded server is running). */
export function runCli(dataDir: string, args: string[], stdin = ""): string {
  const result = spawnSync(process.execPath, [path.join(ROOT, "bin/vpnsight.mjs"), ...args], {
    cwd: ROOT,
    env: productEnv(dataDir),
    input: stdin,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`vpnsight ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}

export async function restartProduct(): Promise<void> {
  const state = readState();
  await stopProduct(state.pid);
  state.pid = await startProduct(state.dataDir, state.logFile);
  writeState(state);
}

/** Fills the product's database with demo sessions (npm run seed:demo), beside the running product. */
export function runSeed(dataDir: string, identities: number, sessions: number): void {
  const result = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      path.join(ROOT, "prisma/seed-demo.ts"),
      "--identities",
      String(identities),
      "--sessions",
      String(sessions),
    ],
    {
      cwd: ROOT,
      env: productEnv(dataDir),
      encoding: "utf8",
    },
  );
  if (result.status !== 0) throw new Error(`seed:demo failed: ${result.stderr}`);
}

/** The product's embedded database, as its owner (for tests that read what was stored, or store VPN history). */
export function productDatabaseUrl(dataDir = readState().dataDir): string {
  const password = fs.readFileSync(path.join(dataDir, "postgres.password"), "utf8").trim();
  const port = fs.readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[3];
  return `postgresql://postgres:${password}@127.0.0.1:${port}/vpnsight`;
}
