// Least-privilege database roles (lib/db/roles.ts), met as a site would: `vpnsight db roles` run as the tables'
// owner prints the two URLs; the sensor, on its own role, stores real radclient accounting and judges it, and can
// reach nothing else; the portal's role cannot change the schema or erase the audit trail.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, migrateDatabase } from "../lib/db/migrator.ts";
import { createPrismaClient, type Db } from "../lib/db/prisma.ts";
import { TABLE_PRIVILEGES } from "../lib/db/roles.ts";
import { createTestDatabase, type TestDatabase } from "../lib/testing/test-database.ts";
import { createUser, CreateUserSchema } from "../lib/auth/users.ts";
import { updateVpnSettings, VpnSettingsUpdateSchema } from "../lib/radius/vpn-settings.ts";
import { startSensor, waitFor, type SensorProcess } from "./testing/sensor-process.ts";
import { parseInput } from "../lib/errors.ts";

const BIN = path.resolve(import.meta.dirname, "../bin/vpnsight.mjs");
const SECRET = "least-privilege-secret1";
let t: TestDatabase;
let sensor: SensorProcess;
let urls: { portal: string; sensor: string };
let portalDb: Db;

function runCli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs one statement as a role; the PostgreSQL error code when refused, else "ok". */
async function as(url: string, sql: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
    return "ok";
  } catch (err) {
    return (err as { code?: string }).code ?? (err as Error).message;
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  t = await createTestDatabase();
  await updateVpnSettings(t.db, parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: SECRET }), {
    label: "test",
  });
  // Roles belong to the whole server: new passwords, whatever an earlier run on it left.
  const roles = await runCli(["db", "roles", "--new-passwords"], { DATABASE_URL: t.url });
  expect(roles.code, roles.stderr).toBe(0);
  const line = (name: string) =>
    roles.stdout
      .split("\n")
      .find((l) => l.startsWith(`${name}=`))!
      .slice(name.length + 1);
  urls = { portal: line("DATABASE_URL"), sensor: line("SENSOR_DATABASE_URL") };
  expect(roles.stdout).not.toContain(new URL(t.url).password); // the owner's password is not printed
  portalDb = createPrismaClient(urls.portal);
  sensor = await startSensor({
    DATABASE_URL: "",
    SENSOR_DATABASE_URL: urls.sensor,
    VPNSIGHT_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-lp-")),
    SENSOR_ID: "least-privilege",
  });
}, 60_000);
afterAll(async () => {
  await sensor?.stop();
  await portalDb?.$disconnect();
  await t?.drop();
});

describe("vpnsight db roles", () => {
  it("lists every table of the schema in the grants, and nothing that is not a table", async () => {
    const tables = (
      await t.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'")
    ).map((r) => r.name);
    expect(Object.keys(TABLE_PRIVILEGES).sort()).toEqual(tables.sort());
  });

  it("creates login roles that own nothing: the URLs it prints connect, with the role's name", async () => {
    expect(new URL(urls.portal).username).toBe("vpnsight_portal");
    expect(new URL(urls.sensor).username).toBe("vpnsight_sensor");
    const owners = await t.query<{ owner: string }>(
      "SELECT DISTINCT tableowner AS owner FROM pg_tables WHERE schemaname = 'public'",
    );
    expect(owners.map((o) => o.owner)).not.toContain("vpnsight_portal");
    expect(owners.map((o) => o.owner)).not.toContain("vpnsight_sensor");
    expect(await as(urls.sensor, "SELECT 1")).toBe("ok");
  });
});

describe("the sensor on its own role", () => {
  it("stores real radclient accounting, heartbeats and judges it", async () => {
    const packets = ["Start", "Stop"]
      .map(
        (type) =>
          `User-Name = "lp@contoso.com"\nAcct-Status-Type = ${type}\nAcct-Session-Id = "LP-1"\nCalling-Station-Id = "81.2.69.160"\nNAS-Identifier = "vpn-1"\n`,
      )
      .join("\n");
    const sent = spawnSync("radclient", ["-r", "1", "-t", "2", `127.0.0.1:${sensor.port}`, "acct", SECRET], {
      input: packets,
      encoding: "utf8",
    });
    expect(sent.status, sent.stdout + sent.stderr).toBe(0);
    const [row] = await t.query<{ status: string }>(`SELECT status FROM "VpnSession" WHERE "acctSessionId" = 'LP-1'`);
    expect(row?.status).toBe("closed");
    await waitFor(
      async () =>
        (await t.query(`SELECT 1 FROM "VpnSession" WHERE "acctSessionId" = 'LP-1' AND "detectedAt" IS NOT NULL`))
          .length > 0,
      20_000,
      "the detector judged the session",
    );
    await waitFor(
      async () => (await t.query(`SELECT 1 FROM "SensorStatus" WHERE "sensorId" = 'least-privilege'`)).length > 0,
      10_000,
      "a heartbeat",
    );
    expect(sensor.logs()).not.toMatch(/permission denied/i);
  }, 40_000);

  it("cannot read users, tokens or sessions of the portal, change settings, or change the schema", async () => {
    expect(await as(urls.sensor, `SELECT * FROM "User"`)).toBe("42501");
    expect(await as(urls.sensor, `SELECT * FROM "ApiToken"`)).toBe("42501");
    expect(await as(urls.sensor, `SELECT * FROM "UserSession"`)).toBe("42501");
    expect(await as(urls.sensor, `SELECT * FROM "AuditEntry"`)).toBe("42501");
    expect(await as(urls.sensor, `UPDATE "VpnSettings" SET enabled = false`)).toBe("42501");
    expect(await as(urls.sensor, `DELETE FROM "Alert"`)).toBe("42501");
    expect(await as(urls.sensor, `DROP TABLE "VpnSession"`)).toBe("42501");
    expect(await as(urls.sensor, `CREATE TABLE evil (x int)`)).toBe("42501");
    // The timeline's partitions: made and dropped only through the owner's functions (the detector's maintenance).
    expect(await as(urls.sensor, `SELECT vpnsight_add_timeline_partitions(0, 3)`)).toBe("ok");
    expect(await as(urls.sensor, `SELECT vpnsight_detach_timeline_partitions(now() - interval '10 years')`)).toBe("ok");
    expect(await as(urls.sensor, `SELECT vpnsight_drop_detached_timeline_partitions()`)).toBe("ok");
    expect(await as(urls.sensor, `DROP TABLE vpnsight_partitions."VpnSessionEvent_default"`)).toBe("42501");
  });
});

describe("the portal on its own role", () => {
  it("does its work (a user created is audited), but cannot erase the audit trail or change the schema", async () => {
    await createUser(
      portalDb,
      parseInput(CreateUserSchema, { email: "lp-admin@contoso.test", role: "admin", password: "a-long-password-1" }),
      { label: "test" },
    );
    expect(await portalDb.auditEntry.count({ where: { action: "user.create" } })).toBe(1);
    expect(await as(urls.portal, `DELETE FROM "AuditEntry"`)).toBe("42501");
    expect(await as(urls.portal, `UPDATE "AuditEntry" SET action = 'x'`)).toBe("42501");
    expect(await as(urls.portal, `TRUNCATE "AuditEntry"`)).toBe("42501");
    expect(await as(urls.portal, `ALTER TABLE "User" ADD COLUMN evil int`)).toBe("42501");
    expect(await as(urls.portal, `DROP TABLE "VpnSession"`)).toBe("42501");
    expect(await as(urls.portal, `SELECT vpnsight_detach_timeline_partitions(now() - interval '10 years')`)).toBe(
      "42501",
    );
  });

  it("checks that the schema is current, and a pending migration names MIGRATION_DATABASE_URL", async () => {
    await expect(migrateDatabase(urls.portal)).resolves.toEqual({ applied: [] });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-lp-mig-"));
    fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    fs.mkdirSync(path.join(dir, "29990101000000_later"));
    fs.writeFileSync(path.join(dir, "29990101000000_later", "migration.sql"), `CREATE TABLE "Later" (id int);`);
    await expect(migrateDatabase(urls.portal, { dir })).rejects.toThrow(/MIGRATION_DATABASE_URL/);
    // The owner applies it, and the grants are made exact again: a right granted by hand is taken back.
    await t.query(`GRANT SELECT ON "User" TO vpnsight_sensor`);
    expect(await as(urls.sensor, `SELECT 1 FROM "User"`)).toBe("ok");
    await expect(migrateDatabase(t.url, { dir })).resolves.toEqual({ applied: ["29990101000000_later"] });
    expect(await as(urls.sensor, `SELECT 1 FROM "User"`)).toBe("42501");
    expect(await as(urls.portal, `SELECT 1 FROM "Later"`)).toBe("42501"); // a table not in the grants is out of reach
  });
});
