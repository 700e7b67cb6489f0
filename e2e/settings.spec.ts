import { expect, test } from "@playwright/test";
import { ADMIN } from "./product";
import { signIn } from "./helpers";

test("an admin adds a RADIUS client (a bad address gets a clear error and keeps the form), then removes it", async ({ page }) => {
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
  await form.getByRole("button", { name: "Add client" }).click();
  await expect(page.getByRole("cell", { name, exact: true })).toBeVisible();
  await expect(page.getByRole("alert").filter({ hasText: "Enter an IP address or CIDR block" })).toHaveCount(0);
  await expect(form.getByLabel("Name")).toHaveValue("");

  // Other specs send accounting from 127.0.0.1: with a client list, that source would be dropped.
  page.once("dialog", (dialog) => void dialog.accept());
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
  page.once("dialog", (dialog) => void dialog.accept());
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row).toContainText("revoked");
  expect((await asToken()).status()).toBe(401);
});
