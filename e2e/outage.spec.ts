import { execFileSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { ANALYST, readState, restartProduct } from "./product";
import { signIn } from "./helpers";

/** Stops the product's embedded PostgreSQL the way a crash or an operator would, leaving the portal running. */
async function stopDatabase(dataDir: string): Promise<void> {
  const pattern = `postgres -D ${dataDir}/postgres`;
  execFileSync("pkill", ["-INT", "-f", pattern]);
  await expect.poll(() => {
    try {
      execFileSync("pgrep", ["-f", pattern]);
      return "running";
    } catch {
      return "stopped";
    }
  }, { timeout: 30_000 }).toBe("stopped");
}

test("with the database down, pages, the API, the health check and sign-in say so; a restart recovers", async ({ page, browser, request }) => {
  const { dataDir, adminToken } = readState();
  await signIn(page, ANALYST);
  expect((await request.get("/api/healthz")).status()).toBe(200);

  await stopDatabase(dataDir);
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
    expect(await api.json()).toEqual({ error: { code: "unavailable", message: "VPN Sight cannot reach its database right now. Try again shortly." } });

    const visitor = await browser.newPage();
    await visitor.goto("/signin");
    await visitor.getByLabel("Email").fill(ANALYST.email);
    await visitor.getByLabel("Password").fill(ANALYST.password);
    await visitor.getByRole("button", { name: "Sign in" }).click();
    await expect(visitor.getByRole("alert").filter({ hasText: "VPN Sight cannot reach its database right now. Try again shortly." })).toBeVisible();
    await visitor.close();
  } finally {
    await restartProduct();
  }

  expect((await request.get("/api/healthz")).status()).toBe(200);
  await page.getByRole("button", { name: "Try again" }).click();
  await expect(page.getByRole("heading", { name: "Identities", level: 1 })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "This page could not load" })).toHaveCount(0);
});
