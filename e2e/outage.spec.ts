import { execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import { expect, test } from "@playwright/test";
import { ANALYST, PG_PORT, readState } from "./product";
import { signIn } from "./helpers";

const running = (pattern: string) => {
  try {
    execFileSync("pgrep", ["-f", pattern]);
    return true;
  } catch {
    return false;
  }
};

/**
 * Stops the product's embedded PostgreSQL as a crash or an operator would, and keeps it down by
 * taking its port before `npm start` starts it again (it does so a second after the exit).
 */
async function takeDatabaseDown(dataDir: string): Promise<net.Server> {
  const pattern = `postgres -D ${dataDir}/postgres`;
  execFileSync("pkill", ["-INT", "-f", pattern]);
  const deadline = Date.now() + 30_000;
  while (running(pattern) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const blocker = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => blocker.once("error", reject).listen(PG_PORT, "127.0.0.1", resolve));
  return blocker;
}

test("with the database down, pages, the API, the health check and sign-in say so; npm start brings it back", async ({
  page,
  browser,
  request,
}) => {
  const { dataDir, adminToken, logFile } = readState();
  await signIn(page, ANALYST);
  expect((await request.get("/api/healthz")).status()).toBe(200);

  const blocker = await takeDatabaseDown(dataDir);
  try {
    await page.goto("/identities");
    const problem = page.getByRole("alert").filter({ hasText: "This page could not load" });
    await expect(problem).toContainText("VPN Sight cannot reach its PostgreSQL database.");
    await expect(problem.getByRole("button", { name: "Try again" })).toBeVisible();

    const health = await request.get("/api/healthz");
    expect(health.status()).toBe(503);
    expect(await health.json()).toEqual({ ok: false, database: "unreachable" });

    const api = await request.get("/api/v1/identities", { headers: { authorization: `Bearer ${adminToken}` } });
    expect(api.status()).toBe(503);
    expect(api.headers()["retry-after"]).toBe("5");
    expect(await api.json()).toEqual({
      error: { code: "unavailable", message: "VPN Sight cannot reach its database right now. Try again shortly." },
    });

    const visitor = await browser.newPage();
    await visitor.goto("/signin");
    await visitor.getByLabel("Email").fill(ANALYST.email);
    await visitor.getByLabel("Password").fill(ANALYST.password);
    await visitor.getByRole("button", { name: "Sign in" }).click();
    await expect(
      visitor
        .getByRole("alert")
        .filter({ hasText: "VPN Sight cannot reach its database right now. Try again shortly." }),
    ).toBeVisible();
    await visitor.close();
  } finally {
    blocker.close();
  }

  // npm start keeps trying (1, 2, 5, then every 10 s) and succeeds once the port is free again.
  await expect
    .poll(async () => (await request.get("/api/healthz")).status(), { timeout: 30_000, intervals: [500] })
    .toBe(200);
  await page.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByRole("heading", { name: "Identities", level: 1 })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "This page could not load" })).toHaveCount(0);
  const log = fs.readFileSync(logFile, "utf8");
  expect(log).toContain("Embedded PostgreSQL exited unexpectedly");
  expect(log).toContain("Embedded PostgreSQL is running again");
});

test("a sensor that crashes is started again by npm start, and the portal stays up meanwhile", async ({ request }) => {
  const { pid, viewerToken, logFile } = readState();
  // The sensor is a direct child of npm start's process (its detector is the sensor's child).
  const sensorPid = () => {
    try {
      return Number(
        execFileSync("pgrep", ["-P", String(pid), "-f", "sensor/main.mjs"], { encoding: "utf8" })
          .trim()
          .split("\n")[0],
      );
    } catch {
      return 0;
    }
  };
  const crashed = sensorPid();
  expect(crashed).toBeGreaterThan(0);
  const killedAt = Date.now();
  process.kill(crashed, "SIGKILL");
  const restarted = () => {
    const now = sensorPid();
    return now > 0 && now !== crashed;
  };
  await expect.poll(restarted, { timeout: 20_000 }).toBe(true);
  expect((await request.get("/api/healthz")).status()).toBe(200);
  // The new sensor reports in: its heartbeat on the sensors API started after the kill.
  await expect
    .poll(
      async () => {
        const { items } = await (
          await request.get("/api/v1/sensors", { headers: { authorization: `Bearer ${viewerToken}` } })
        ).json();
        return items.some((s: { startedAt: string }) => Date.parse(s.startedAt) > killedAt);
      },
      { timeout: 30_000 },
    )
    .toBe(true);
  expect(fs.readFileSync(logFile, "utf8")).toContain(
    "the sensor exited unexpectedly (SIGKILL); starting it again in 1 s",
  );
});

test("npm start's children get only the environment they need: no admin password anywhere, no session key in the sensor", async () => {
  const { pid } = readState();
  const childPid = (pattern: string) =>
    Number(
      execFileSync("pgrep", ["-P", String(pid), "-f", pattern], { encoding: "utf8" })
        .trim()
        .split("\n")[0],
    );
  const environ = (p: number) =>
    new Map(
      fs
        .readFileSync(`/proc/${p}/environ`, "utf8")
        .split("\0")
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
    );
  const sensor = environ(childPid("sensor/main.mjs"));
  const portal = environ(childPid("portal-server.mjs"));
  // npm start itself was given ADMIN_EMAIL and ADMIN_PASSWORD (e2e/product.ts).
  expect(environ(pid).has("ADMIN_PASSWORD")).toBe(true);
  for (const env of [sensor, portal]) {
    expect(env.has("ADMIN_PASSWORD")).toBe(false);
    expect(env.has("DATABASE_URL")).toBe(true);
  }
  expect(sensor.has("NEXTAUTH_SECRET")).toBe(false);
  expect(portal.has("NEXTAUTH_SECRET")).toBe(true);
});
