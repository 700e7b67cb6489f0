import { expect, test } from "@playwright/test";
import { ADMIN } from "./product";
import { signIn } from "./helpers";

test("an admin creates a user and changes its role; the last admin cannot be demoted", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/settings/users");
  const email = `new-${Date.now()}@e2e.test`;
  const form = page.getByRole("form", { name: "Create user" });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Role").selectOption("viewer");
  await form.getByLabel("Initial password").fill("new-user-password-1");
  await form.getByRole("button", { name: "Create user" }).click();
  const row = page.getByTestId(`user-row-${email}`);
  await expect(row).toBeVisible();
  await row.getByLabel(`Role of ${email}`).selectOption("analyst");
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId(`user-row-${email}`).getByLabel(`Role of ${email}`)).toHaveValue("analyst");

  // Only ADMIN is an active admin here (other specs' temporary admins are demoted or disabled).
  await page.getByTestId(`user-row-${ADMIN.email}`).getByLabel(`Role of ${ADMIN.email}`).selectOption("viewer");
  await expect(page.getByRole("alert").filter({ hasText: "This is the last active admin: make another user admin first." })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId(`user-row-${ADMIN.email}`).getByLabel(`Role of ${ADMIN.email}`)).toHaveValue("admin");
});

test("sign-in fails with a clear message and is throttled after repeated failures", async ({ page }) => {
  await page.goto("/signin");
  const target = `nobody-${Date.now()}@e2e.test`;
  for (let i = 0; i < 5; i++) {
    await page.getByLabel("Email").fill(target);
    await page.getByLabel("Password").fill(`wrong-password-${i}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Incorrect email or password." })).toBeVisible();
  }
  await page.getByLabel("Password").fill("another-wrong-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /Too many failed sign-in attempts\. Try again in \d+ minutes?\./ })).toBeVisible();
});

test("signing out ends the session", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/settings/identities/vpn");
  await expect(page).toHaveURL(/\/signin$/);
});

test("the sign-in page and the console load without failed requests or console errors, with the product's icon", async ({ page, request }) => {
  const problems: string[] = [];
  page.on("console", (m) => void (m.type() === "error" && problems.push(`console: ${m.text()}`)));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("response", (r) => void (r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`)));
  await page.goto("/signin");
  await expect(page.locator('link[rel="icon"]')).toHaveCount(1);
  const icon = await page.locator('link[rel="icon"]').getAttribute("href");
  const iconResponse = await request.get(icon!);
  expect(iconResponse.status()).toBe(200);
  expect(iconResponse.headers()["content-type"]).toContain("image/svg+xml");
  await signIn(page, ADMIN);
  for (const path of ["/identities", "/alerts", "/settings", "/settings/identities/vpn"]) {
    await page.goto(path);
    await page.waitForLoadState("networkidle");
  }
  // Every settings page says where it is and leads back to Settings.
  const crumbs: [string, string][] = [
    ["/settings/identities/vpn", "Settings › Identities › VPN"], ["/settings/identities/aliases", "Settings › Identities › Aliases"],
    ["/settings/alerts", "Settings › Alerts forwarding"], ["/settings/users", "Settings › Users"],
    ["/settings/tokens", "Settings › API tokens"], ["/settings/audit", "Settings › Audit log"],
  ];
  for (const [path, trail] of crumbs) {
    await page.goto(path);
    await expect(page.getByRole("navigation", { name: "Breadcrumb" })).toHaveText(trail);
  }
  await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  expect(problems).toEqual([]);
});
