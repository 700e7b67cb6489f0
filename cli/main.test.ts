import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveToken } from "../lib/auth/api-tokens.ts";
import { authenticateWithPassword } from "../lib/auth/authenticate.ts";
import { startEmbeddedPostgres } from "../lib/db/embedded-postgres.ts";
import { createPrismaClient } from "../lib/db/prisma.ts";
import { createTestDatabase, type TestDatabase } from "../lib/testing/test-database.ts";
import { history } from "../lib/testing/vpn-history.ts";
import { getVpnSettings } from "../lib/radius/vpn-settings.ts";
import { writeAccountingRecords } from "../lib/sessions/store.ts";

const BIN = path.resolve(import.meta.dirname, "../bin/vpnsight.mjs");

function runCli(args: string[], opts: { stdin?: string; env?: Record<string, string> }) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? "");
  });
}

let t: TestDatabase;
let env: Record<string, string>;
beforeAll(async () => {
  t = await createTestDatabase();
  env = { DATABASE_URL: t.url };
});
afterAll(async () => t.drop());

describe("vpnsight CLI on DATABASE_URL", () => {
  it("token create prints the token alone on the last line, once, and it carries the role", async () => {
    // A token belongs to a user: without an admin there is no one to own it.
    const orphan = await runCli(["token", "create", "--name", "siem", "--role", "analyst"], { env });
    expect(orphan.code).toBe(1);
    expect(orphan.stderr).toContain("No active admin to own the token");
    await runCli(["user", "create", "--email", "root@example.com", "--role", "admin"], {
      env,
      stdin: "root-password-123\n",
    });
    const { code, stdout } = await runCli(["token", "create", "--name", "siem", "--role", "analyst"], { env });
    expect(code).toBe(0);
    const token = stdout.trim().split("\n").at(-1)!;
    expect(token).toMatch(/^vps_[A-Za-z0-9_-]{43}$/);
    expect(await resolveToken(t.db, token)).toMatchObject({ name: "siem", role: "analyst" });
    const stored = await t.query(`SELECT * FROM "ApiToken"`);
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(stdout).toMatch(/for root@example\.com \(expires \d{4}-\d{2}-\d{2}\)/);
  });

  it("token create takes --owner and --expires-days, and refuses a bad value", async () => {
    await runCli(["user", "create", "--email", "bea@example.com", "--role", "viewer"], {
      env,
      stdin: "bea-password-1234\n",
    });
    const made = await runCli(
      [
        "token",
        "create",
        "--name",
        "bea-siem",
        "--role",
        "admin",
        "--owner",
        "bea@example.com",
        "--expires-days",
        "none",
      ],
      { env },
    );
    expect(made.code).toBe(0);
    expect(made.stdout).toContain("for bea@example.com (never expires)");
    // An admin token of a viewer acts as a viewer.
    expect(await resolveToken(t.db, made.stdout.trim().split("\n").at(-1)!)).toMatchObject({ role: "viewer" });
    const bad = await runCli(["token", "create", "--name", "x", "--role", "viewer", "--expires-days", "soon"], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--expires-days is a number of days, or none.");
  });

  it("user create and reset-password read the password from stdin", async () => {
    const created = await runCli(["user", "create", "--email", "Ana@Example.com", "--role", "analyst"], {
      env,
      stdin: "analyst-password-1\n",
    });
    expect(created.code).toBe(0);
    expect(created.stdout).toContain("Created analyst ana@example.com");
    await expect(authenticateWithPassword(t.db, "ana@example.com", "analyst-password-1", null)).resolves.toMatchObject({
      role: "analyst",
    });
    const reset = await runCli(["user", "reset-password", "--email", "ana@example.com"], {
      env,
      stdin: "analyst-password-2",
    });
    expect(reset.code).toBe(0);
    await expect(authenticateWithPassword(t.db, "ana@example.com", "analyst-password-2", null)).resolves.toBeTruthy();
  });

  it("vpn set enables accounting with a secret from stdin, never echoing it", async () => {
    const secret = "cli-secret-0123456789";
    const result = await runCli(["vpn", "set", "--enable", "--secret-stdin"], { env, stdin: secret + "\n" });
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(secret);
    expect(await getVpnSettings(t.db)).toMatchObject({ enabled: true, secretConfigured: true, secretUpdatedBy: "cli" });
    const disabled = await runCli(["vpn", "set", "--disable"], { env });
    expect(disabled.code).toBe(0);
    expect(await getVpnSettings(t.db)).toMatchObject({ enabled: false, secretConfigured: true });
  });

  it("explains bad input with a non-zero exit and changes nothing", async () => {
    const before = await t.db.vpnSettings.findUniqueOrThrow({ where: { id: 1 } });
    const shortSecret = await runCli(["vpn", "set", "--enable", "--secret-stdin"], { env, stdin: "too-short" });
    expect(shortSecret.code).toBe(1);
    expect(shortSecret.stderr).toContain("The shared secret needs at least 16 characters.");
    expect(await t.db.vpnSettings.findUniqueOrThrow({ where: { id: 1 } })).toEqual(before);
    const both = await runCli(["vpn", "set", "--enable", "--disable"], { env });
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("exactly one of --enable or --disable");
    const badRole = await runCli(["token", "create", "--name", "x", "--role", "root"], { env });
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toBe("vpnsight: Role must be admin, analyst or viewer.\n"); // the message, not zod's issue list
    expect(await t.db.apiToken.count({ where: { name: "x" } })).toBe(0);
    const badUserRole = await runCli(["user", "create", "--email", "eve@example.com", "--role", "superuser"], {
      env,
      stdin: "a-long-enough-password-1",
    });
    expect(badUserRole.code).toBe(1);
    expect(badUserRole.stderr).toBe("vpnsight: Role must be admin, analyst or viewer.\n");
    expect(await t.db.user.count({ where: { email: "eve@example.com" } })).toBe(0);
    const unknown = await runCli(["frobnicate"], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toContain("Usage: vpnsight");
  });

  it("says so when the database cannot be reached", async () => {
    const url = new URL(t.url);
    url.port = "1"; // nothing listens there
    const result = await runCli(["vpn", "show"], { env: { DATABASE_URL: url.toString() } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^vpnsight: cannot reach the database \(connect ECONNREFUSED 127\.0\.0\.1:1\)\. Is PostgreSQL running\?/,
    );
  });

  it("refuses a different secret key with a clear error", async () => {
    const wrongKey = Buffer.alloc(32, 7).toString("base64");
    const result = await runCli(["vpn", "show"], { env: { ...env, VPNSIGHT_SECRET_KEY: wrongKey } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not the key that encrypted it/);
  });

  it("detect --since judges stored history again and reports the alerts of that period", async () => {
    await writeAccountingRecords(t.pool, history("hugo@contoso.com"), "test");
    const since = new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10);
    const first = await runCli(["detect", "--since", since], { env });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`Judged 14 sessions since ${since}T00:00:00.000Z; 2 alerts for that period.`);
    // Judged again: the same alerts, not new ones.
    const again = await runCli(["detect", "--since", since], { env });
    expect(again.stdout).toContain("Judged 14 sessions");
    expect(await t.query(`SELECT rules, occurrences FROM "Alert" ORDER BY rule`)).toEqual([
      { rules: ["impossible-travel", "suspicious-vpn-connection", "concurrent-countries"], occurrences: 1 },
      { rules: ["suspicious-vpn-connection"], occurrences: 1 },
    ]);
    const bad = await runCli(["detect", "--since", "yesterday"], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--since yesterday is not a date: use YYYY-MM-DD");
    const missing = await runCli(["detect"], { env });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("detect needs --since DATE");
  });
});

describe("vpnsight CLI on the embedded database", () => {
  it("works beside a running embedded server (as during npm start) and migrates it", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-cli-"));
    fs.chmodSync(dataDir, 0o755);
    const server = await startEmbeddedPostgres({ dataDir, port: 56000 + Math.floor(Math.random() * 2000) });
    try {
      const cliEnv = { DATABASE_URL: "", VPNSIGHT_DATA_DIR: dataDir, VPNSIGHT_PG_PORT: "1" };
      const migrate = await runCli(["migrate"], { env: cliEnv });
      expect(migrate.stderr).toContain("Applied migration");
      expect(migrate.code).toBe(0);
      const created = await runCli(["user", "create", "--email", "v@example.com", "--role", "viewer"], {
        env: cliEnv,
        stdin: "viewer-password-1",
      });
      expect(created.code).toBe(0);
      const prisma = createPrismaClient(server.url);
      expect(await prisma.user.findUnique({ where: { email: "v@example.com" } })).toMatchObject({ role: "viewer" });
      await prisma.$disconnect();
    } finally {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
