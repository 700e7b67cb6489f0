// The detector process against a real database while its sensor reports sustained load: it
// defers a burst, but not for the whole load: sessions are judged while the sensor stays busy.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { writeAccountingRecords } from "../lib/sessions/store.ts";
import { createTestDatabase, type TestDatabase } from "../lib/testing/test-database.ts";
import { history } from "../lib/testing/vpn-history.ts";

const MAX_DEFER_MS = 4000;
let t: TestDatabase;
let detector: ChildProcess;
let busyTimer: NodeJS.Timeout;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  clearInterval(busyTimer);
  detector?.kill("SIGTERM");
  await t.drop();
});

const pending = async () =>
  (
    await t.query<{ pending: number; sessions: number }>(
      `SELECT count(*) FILTER (WHERE "detectedAt" IS NULL)::int AS pending, count(*)::int AS sessions FROM "VpnSession"`,
    )
  )[0]!;

it("under sustained load it defers a burst, then judges the backlog while the sensor is still busy", async () => {
  const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "detector.ts");
  detector = spawn(process.execPath, ["--import", "tsx", entry], {
    env: { ...process.env, DATABASE_URL: t.url, VPNSIGHT_DETECTOR_MAX_DEFER_MS: String(MAX_DEFER_MS) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  // As the sensor does at over 1,000 answered req/s (detector-process.ts), for the whole test.
  busyTimer = setInterval(() => detector.connected && detector.send({ busy: true }), 200);
  await new Promise((r) => setTimeout(r, 1500)); // started, found nothing pending, now deferring

  const identities = Array.from({ length: 200 }, (_, i) => `load${i}@contoso.com`);
  await writeAccountingRecords(
    t.pool,
    identities.flatMap((id) => history(id)),
    "test",
  );
  const stored = await pending();
  expect(stored.sessions).toBe(200 * 14);
  expect(stored.pending).toBe(stored.sessions); // a burst is deferred at first

  // Before: one batch of 200 per MAX_DEFER_MS while busy (2,800 sessions ≈ 56 s here).
  const started = Date.now();
  while ((await pending()).pending > 0) {
    expect(Date.now() - started).toBeLessThan(40_000);
    await new Promise((r) => setTimeout(r, 250));
  }
  const alerts = await t.query<{ n: number }>(`SELECT count(DISTINCT identity)::int AS n FROM "Alert"`);
  expect(alerts[0]!.n).toBe(200);
}, 90_000);

it("with RETENTION_DAYS it deletes older VPN activity soon after it starts", async () => {
  const own = await createTestDatabase();
  await writeAccountingRecords(own.pool, history("old@contoso.com"), "test"); // sessions 35 … 2 days old, two new ones
  const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "detector.ts");
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    env: { ...process.env, DATABASE_URL: own.url, RETENTION_DAYS: "30" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  try {
    const oldest = async () =>
      (
        await own.query<{ days: number }>(
          `SELECT floor(extract(epoch FROM now() - min("startedAt")) / 86400)::int AS days FROM "VpnSession"`,
        )
      )[0]!.days;
    expect(await oldest()).toBe(35);
    const started = Date.now();
    while ((await oldest()) >= 30) {
      expect(Date.now() - started).toBeLessThan(30_000);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(await oldest()).toBe(29);
    const events = await own.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "VpnSessionEvent" WHERE "eventTime" < now() - interval '30 days'`,
    );
    expect(events[0]!.n).toBe(0);
  } finally {
    child.kill("SIGTERM");
    await own.drop();
  }
}, 60_000);

it("ends when its sensor is gone, even if the sensor died while the detector was still starting", async () => {
  const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), "detector.ts");
  const child = spawn(process.execPath, ["--import", "tsx", entry], {
    env: { ...process.env, DATABASE_URL: t.url },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  child.disconnect(); // what a crashed sensor's channel does, before the detector's modules have loaded
  const exited = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), 15_000);
    child.once("exit", (code) => (clearTimeout(timer), resolve(code)));
  });
  if (exited === null) child.kill("SIGKILL");
  expect(exited).toBe(0);
}, 30_000);
