// The product on a site's own PostgreSQL with a streaming replica (issue 22): Debian's PostgreSQL 15, a primary and a
// pg_basebackup -R standby; `npm start`'s script with DATABASE_URL listing both hosts (standby first) and
// DATABASE_READ_URL on the standby. The identities list is read on the standby — its pg_stat_activity shows the
// portal's query there — while the sensor writes real radclient accounting to the primary; sign-in and a settings
// write work as without a replica.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import pg from "pg";
import { pg15Available, startPrimary, startStandby, stopNode, type PgNode } from "../lib/testing/pg-cluster";
import { signIn } from "./helpers";

const PORT = 3313;
const RADIUS_PORT = 18131;
const SECRET = "replica-e2e-secret-01";
const ADMIN = { email: "admin@replica.test", password: "admin-password-replica-1" };
const READ_APP = "vpnsight-replica-read";

test.skip(!pg15Available(), "needs Debian's postgresql-15");
test.describe.configure({ timeout: 180_000 });
test.use({ baseURL: `http://localhost:${PORT}` });

let base: string;
let primary: PgNode;
let standby: PgNode;
let product: ChildProcess | undefined;

async function sql<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

test.beforeAll(async () => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-e2e-replica-"));
  fs.chmodSync(base, 0o755);
  const port = 63000 + Math.floor(Math.random() * 1000);
  primary = startPrimary(path.join(base, "pg"), port);
  await sql(primary.url("postgres"), "CREATE DATABASE vpnsight");
  standby = startStandby(path.join(base, "pg"), primary, port + 1);
  const dataDir = path.join(base, "data");
  fs.mkdirSync(dataDir);
  const log = fs.openSync(path.join(base, "product.log"), "a");
  product = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${standby.port},127.0.0.1:${primary.port}/vpnsight?target_session_attrs=read-write`,
      DATABASE_READ_URL: `${standby.url("vpnsight")}?application_name=${READ_APP}`,
      PORT: String(PORT),
      VPNSIGHT_DATA_DIR: dataDir,
      RADIUS_ACCT_PORT: String(RADIUS_PORT),
      SENSOR_METRICS_PORT: "19831",
      RADSEC_PORT: "20831",
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    },
    stdio: ["ignore", log, log],
    detached: true,
  });
  await expect
    .poll(
      async () =>
        fetch(`http://localhost:${PORT}/api/v1/openapi.json`).then(
          (r) => r.ok,
          () => false,
        ),
      { timeout: 120_000, intervals: [500] },
    )
    .toBe(true);
});

test.afterAll(async () => {
  if (product?.pid) {
    try {
      process.kill(-product.pid, "SIGTERM");
    } catch {
      // already gone
    }
    await new Promise((r) => setTimeout(r, 3000));
  }
  if (standby) stopNode(standby);
  if (primary) stopNode(primary);
  fs.rmSync(base, { recursive: true, force: true });
});

test("the identities list is read on the replica while the sensor writes to the primary; sign-in and settings work", async ({
  page,
}) => {
  // Sign-in writes (its session row): on the primary.
  await signIn(page, ADMIN);

  // A settings write, through the page as an admin makes it.
  await page.goto("/settings/identities/vpn");
  await page.getByLabel("Enable radius accounting").check();
  await page.getByLabel("Shared Secret").fill(SECRET);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  const [saved] = await sql<{ enabled: boolean }>(primary.url("vpnsight"), `SELECT enabled FROM "VpnSettings"`);
  expect(saved?.enabled).toBe(true);

  // Real accounting to the sensor, which the primary stores (the sensor picks the secret up live).
  await expect
    .poll(
      () => {
        const sent = spawnSync("radclient", ["-r", "1", "-t", "2", `127.0.0.1:${RADIUS_PORT}`, "acct", SECRET], {
          input: `User-Name = "rita@contoso.com"\nAcct-Status-Type = Start\nAcct-Session-Id = "REPLICA-1"\nCalling-Station-Id = "81.2.69.160"\nNAS-Identifier = "vpn-1"\n`,
          encoding: "utf8",
        });
        return sent.status;
      },
      { timeout: 30_000, intervals: [1000] },
    )
    .toBe(0);
  // Answered once durable: stored, or spooled while the primary was slow and replayed within moments.
  await expect
    .poll(
      async () =>
        (
          await sql<{ n: number }>(
            primary.url("vpnsight"),
            `SELECT count(*)::int AS n FROM "VpnSession" WHERE "acctSessionId" = 'REPLICA-1'`,
          )
        )[0]?.n,
      { timeout: 30_000 },
    )
    .toBe(1);

  // The list, from the standby: the identity appears once replicated, and the standby ran the list's query.
  await expect
    .poll(
      async () => {
        await page.goto("/identities");
        return page.getByRole("link", { name: "rita@contoso.com" }).count();
      },
      { timeout: 20_000 },
    )
    .toBeGreaterThan(0);
  const onStandby = await sql<{ query: string }>(
    standby.url("postgres"),
    `SELECT query FROM pg_stat_activity WHERE application_name = '${READ_APP}' AND datname = 'vpnsight'`,
  );
  expect(onStandby.some((a) => a.query.includes('"Identity"'))).toBe(true);
  // And nothing of the portal's reads there writes: the standby refuses writes, and every page above worked.
  const [recovery] = await sql<{ standby: boolean }>(standby.url("vpnsight"), "SELECT pg_is_in_recovery() AS standby");
  expect(recovery?.standby).toBe(true);
});
