import { expect, test } from "@playwright/test";
import { ADMIN, ANALYST, readState } from "./product";
import { signIn } from "./helpers";
import { SAMBA_ADMIN_PASSWORD, sambaInstalled, startSambaDc, type SambaDc } from "../lib/testing/samba-dc";

// A real Samba Active Directory DC, started by this spec (LDAPS on 127.0.0.1:636, its own CA).
let dc: SambaDc;
test.beforeAll(async () => {
  test.skip(!sambaInstalled(), "samba is not installed");
  test.setTimeout(120_000);
  dc = await startSambaDc();
});
test.afterAll(async () => dc?.stop());

test("an admin configures the directory and tests it: each step in words, a wrong password named, the password never shown", async ({
  page,
  request,
}) => {
  await signIn(page, ADMIN);
  await page.goto("/settings/identities/directory");
  const form = page.getByRole("form", { name: "Directory connection" });
  await form.getByLabel("Read accounts from Active Directory").check();
  await form.getByLabel("Directory URLs (tried in order)").fill(dc.url);
  await form.getByLabel("Bind user").fill(dc.adminUpn);
  await form.getByLabel("Bind password").fill(SAMBA_ADMIN_PASSWORD);
  await form.getByLabel("Base DN").fill(dc.baseDn);
  await form.getByLabel(/CA certificate/).fill(dc.caPem);
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.getByText("Saved.")).toBeVisible();

  await form.getByRole("button", { name: "Test connection" }).click();
  const result = page.getByRole("region", { name: "Connection test" });
  await expect(result.getByRole("heading", { name: "Connection works" })).toBeVisible({ timeout: 20_000 });
  await expect(result).toContainText("Domain: NetBIOS name CONTOSO, DNS name contoso.test");
  await expect(result).toContainText(/Users: \d+ users under DC=contoso,DC=test/);
  await form.getByRole("button", { name: "Sync now" }).click();
  await expect(page.getByTestId("last-sync")).toContainText(/\d+ added, 0 changed, 0 removed/, { timeout: 30_000 });

  // A reload shows what was saved, the password only as configured.
  await page.reload();
  await expect(form.getByLabel("Bind password")).toHaveAttribute("placeholder", "configured (leave empty to keep)");
  await expect(form.getByLabel("Bind password")).toHaveValue("");

  await form.getByLabel("Bind password").fill("Not-the-password-1");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.getByText("Saved.")).toBeVisible();
  await form.getByRole("button", { name: "Test connection" }).click();
  await expect(result.getByRole("heading", { name: "Connection failed" })).toBeVisible({ timeout: 20_000 });
  await expect(result).toContainText("Bind: invalid credentials (AD data 52e)");
  // A sync with the wrong password fails in words and keeps the accounts read before.
  await form.getByRole("button", { name: "Sync now" }).click();
  await expect(page.getByTestId("last-sync")).toContainText(
    "failed — invalid credentials (AD data 52e); the accounts read before stay in use",
  );

  const { adminToken } = readState();
  const api = await (
    await request.get("/api/v1/directory", { headers: { authorization: `Bearer ${adminToken}` } })
  ).text();
  expect(JSON.parse(api)).toMatchObject({ enabled: true, passwordConfigured: true, urls: [dc.url] });
  expect(api).not.toContain(SAMBA_ADMIN_PASSWORD);
  expect(api).not.toContain("Not-the-password-1");
  const audit = await (
    await request.get("/api/v1/audit?limit=10", { headers: { authorization: `Bearer ${adminToken}` } })
  ).text();
  expect(audit).toContain("directory.update");
  expect(audit).not.toContain(SAMBA_ADMIN_PASSWORD);
});

test("an analyst sees the directory settings read-only, and a forged save or test gets 403", async ({ page }) => {
  await signIn(page, ANALYST);
  await page.goto("/settings/identities/directory");
  await expect(page.getByRole("form", { name: "Directory connection" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
  const status = await page.evaluate(async () => (await fetch("/api/v1/directory/test", { method: "POST" })).status);
  expect(status).toBe(403);
});
