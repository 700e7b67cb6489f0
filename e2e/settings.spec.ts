import { spawnSync } from "node:child_process";
import { expect, test } from "@playwright/test";
import { ADMIN, readState } from "./product";
import { fetchFromPage, productSql, signIn } from "./helpers";

test("an admin adds a RADIUS client (a bad address gets a clear error and keeps the form; the first client names the sources it will drop), then removes it", async ({
  page,
  request,
}) => {
  // A source the sensor has seen (any outcome counts): the first client must name it before dropping it.
  spawnSync("radclient", ["-r", "1", "-t", "1", "127.0.0.1:18130", "acct", "Any-Secret-0000000001"], {
    input: 'User-Name = "seen@contoso.com"\nAcct-Status-Type = Start\nAcct-Session-Id = "SEEN-1"\n',
  });
  await expect
    .poll(
      async () => {
        const res = await request.get("/api/v1/nas-sources?notCoveredBy=192.0.2.0/24", {
          headers: { authorization: `Bearer ${readState().adminToken}` },
        });
        return ((await res.json()) as { items: { source: string }[] }).items.map((i) => i.source);
      },
      { timeout: 30_000 },
    )
    .toContain("127.0.0.1");

  await signIn(page, ADMIN);
  await page.goto("/settings/identities/vpn");
  const form = page.getByRole("form", { name: "Add RADIUS client" });
  const name = `e2e-asa-${Date.now()}`;
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("IP or CIDR").fill("192.0.2.300");
  await form.getByRole("button", { name: "Add client" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Enter an IP address or CIDR block" })).toBeVisible();
  await expect(form.getByLabel("Name")).toHaveValue(name);

  await form.getByLabel("IP or CIDR").fill("192.0.2.0/24");
  await form.getByLabel("Vendor").selectOption("cisco-asa");
  // The first client changes what is accepted: the admin is told which sources will be dropped; no adds nothing.
  const warnings: string[] = [];
  page.once("dialog", (dialog) => {
    warnings.push(dialog.message());
    void dialog.dismiss();
  });
  await form.getByRole("button", { name: "Add client" }).click();
  await expect.poll(() => warnings.length).toBe(1);
  expect(warnings[0]).toContain('every other source is dropped as "unknown client"');
  expect(warnings[0]).toMatch(/will be dropped from now on: (.*, )?127\.0\.0\.1/);
  await expect(page.getByRole("cell", { name, exact: true })).toHaveCount(0);
  await expect(form.getByLabel("Name")).toHaveValue(name);
  page.on("dialog", (dialog) => void dialog.accept());
  await form.getByRole("button", { name: "Add client" }).click();
  await expect(page.getByRole("cell", { name, exact: true })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "Enter an IP address or CIDR block" })).toHaveCount(0);
  await expect(form.getByLabel("Name")).toHaveValue("");

  // Other specs send accounting from 127.0.0.1: with a client list, that source would be dropped.
  await page.getByRole("button", { name: `Remove ${name}` }).click();
  await expect(page.getByRole("cell", { name, exact: true })).toHaveCount(0);
});

test("an admin creates an API token shown once, which works until it is revoked", async ({ page, request }) => {
  await signIn(page, ADMIN);
  await page.goto("/settings/tokens");
  const name = `e2e-siem-${Date.now()}`;
  const form = page.getByRole("form", { name: "Create API token" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Role").selectOption("viewer");
  await form.getByRole("button", { name: "Create token" }).click();
  const token = (await page.getByTestId("created-token").textContent())!.trim();
  expect(token.length).toBeGreaterThan(20);
  await expect(form.getByLabel("Name")).toHaveValue("");
  const asToken = () => request.get("/api/v1/identities", { headers: { authorization: `Bearer ${token}` } });
  expect((await asToken()).status()).toBe(200);

  await page.reload();
  await expect(page.getByTestId("created-token")).toHaveCount(0); // shown once
  const row = page.getByRole("row").filter({ hasText: name });
  // Owned by its creator, expiring in 90 days by default, last used just now.
  await expect(row.getByTestId("token-owner")).toHaveText(ADMIN.email);
  await expect(row.getByTestId("token-expires")).not.toHaveText("never");
  await expect(row).not.toContainText("Last used never");
  page.once("dialog", (dialog) => void dialog.accept());
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row).toContainText("revoked");
  expect((await asToken()).status()).toBe(401);
});

test("a token acts with the lower of its role and its owner's, stops when the owner is disabled, and when it expires", async ({
  request,
  browser,
}) => {
  const { adminToken, dataDir } = readState();
  const admin = { authorization: `Bearer ${adminToken}` };
  const owner = { email: `token-owner-${Date.now()}@e2e.test`, password: "token-owner-password-1" };
  const created = await (
    await request.post("/api/v1/users", {
      headers: admin,
      data: { email: owner.email, role: "admin", password: owner.password },
    })
  ).json();
  // The owner signs in and makes an admin token (the token belongs to whoever creates it).
  const page = await (await browser.newContext()).newPage();
  await signIn(page, owner);
  const made = await fetchFromPage(page, "POST", "/api/v1/tokens", {
    name: `owned-${Date.now()}`,
    role: "admin",
    expiresInDays: 30,
  });
  expect(made.status).toBe(201);
  expect(made.json).toMatchObject({ owner: owner.email, role: "admin" });
  await page.context().close();
  const bearer = { authorization: `Bearer ${made.json.token}` };
  expect((await request.get("/api/v1/users", { headers: bearer })).status()).toBe(200);

  // Owner demoted to viewer: the admin token now acts as a viewer.
  expect(
    (await request.patch(`/api/v1/users/${created.id}`, { headers: admin, data: { role: "viewer" } })).status(),
  ).toBe(200);
  expect((await request.get("/api/v1/users", { headers: bearer })).status()).toBe(403);
  expect((await request.get("/api/v1/identities", { headers: bearer })).status()).toBe(200);
  // Owner disabled: the token stops.
  expect(
    (await request.patch(`/api/v1/users/${created.id}`, { headers: admin, data: { disabled: true } })).status(),
  ).toBe(200);
  expect((await request.get("/api/v1/identities", { headers: bearer })).status()).toBe(401);

  // Expiry is checked on every request: once its time has passed (moved into the past in the database), 401.
  const expiring = await (
    await request.post("/api/v1/tokens", {
      headers: admin,
      data: { name: `expiring-${Date.now()}`, role: "viewer", expiresInDays: 1 },
    })
  ).json();
  expect(Date.parse(expiring.expiresAt) - Date.now()).toBeGreaterThan(86_000_000);
  const asExpiring = { authorization: `Bearer ${expiring.token}` };
  expect((await request.get("/api/v1/identities", { headers: asExpiring })).status()).toBe(200);
  await productSql(dataDir, `UPDATE "ApiToken" SET "expiresAt" = now() - interval '1 minute' WHERE id = $1`, [
    expiring.id,
  ]);
  expect((await request.get("/api/v1/identities", { headers: asExpiring })).status()).toBe(401);
  expect(
    (
      await request.post("/api/v1/tokens", { headers: admin, data: { name: "bad", role: "viewer", expiresInDays: 0 } })
    ).status(),
  ).toBe(400);
});
