import { expect, test } from "@playwright/test";
import fs from "node:fs";
import pg from "pg";
import { ADMIN, ANALYST, productDatabaseUrl, readState } from "./product";
import { writeAccountingRecords } from "../lib/sessions/store";
import { sessionEvent } from "../lib/testing/session-event";
import { signIn } from "./helpers";
import { SAMBA_ADMIN_PASSWORD, sambaInstalled, startSambaDc, type SambaDc } from "../lib/testing/samba-dc";

// A real Samba Active Directory DC, started by this spec (LDAPS on 127.0.0.1:636, its own CA).
let dc: SambaDc;
test.beforeAll(async () => {
  test.skip(!sambaInstalled(), "samba is not installed");
  test.setTimeout(120_000);
  dc = await startSambaDc((tool, ldif) => {
    const password = "User!Passw0rd-1234";
    tool(["user", "create", "mia", password, "--given-name=Mia", "--surname=Wong", "--department=Security"]);
    tool(["user", "create", "erin", password, "--given-name=Erin", "--surname=Ross", "--department=IT Operations"]);
    tool(["group", "add", "Tier0"]);
    tool(["group", "addmembers", "Tier0", "erin"]);
    tool(["group", "addmembers", "Domain Admins", "Tier0"]);
    ldif(
      "dn: CN=Erin Ross,CN=Users,DC=contoso,DC=test\nchangetype: modify\nreplace: manager\n" +
        "manager: CN=Mia Wong,CN=Users,DC=contoso,DC=test\n-\nreplace: title\ntitle: Domain administrator\n\n",
    );
  });
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

test("an analyst sees the account behind an identity: name, department, manager, names, and the Sensitive badge", async ({
  page,
  request,
}) => {
  const { adminToken } = readState();
  const auth = { authorization: `Bearer ${adminToken}` };
  // The connection as the first test left it, with the right password again; then a sync.
  const saved = await request.put("/api/v1/directory", {
    headers: auth,
    data: {
      enabled: true,
      urls: [dc.url],
      bindUser: dc.adminUpn,
      bindPassword: SAMBA_ADMIN_PASSWORD,
      baseDn: dc.baseDn,
      caCertificate: dc.caPem,
      syncIntervalMinutes: 15,
    },
  });
  expect(saved.status(), await saved.text()).toBe(200);
  const synced = await (await request.post("/api/v1/directory/sync", { headers: auth })).json();
  expect(synced).toMatchObject({ error: null });
  // VPN history of both (stored as the sensor stores it; RADIUS itself is vpn-settings.spec's).
  const pool = new pg.Pool({ connectionString: productDatabaseUrl() });
  try {
    await writeAccountingRecords(
      pool,
      [
        sessionEvent({
          sessionKey: `E2E-ERIN-${Date.now()}`,
          identity: "erin@contoso.test",
          userName: "CONTOSO\\erin",
        }),
        sessionEvent({ sessionKey: `E2E-MIA-${Date.now()}`, identity: "mia@contoso.test" }),
      ],
      "e2e",
    );
  } finally {
    await pool.end();
  }

  await signIn(page, ANALYST);
  await page.goto("/identities");
  await page.getByLabel("Directory account").selectOption("sensitive");
  await page.getByRole("button", { name: "Search" }).click();
  const table = page.getByRole("table", { name: "Identities" });
  await expect(table.getByRole("row")).toHaveCount(2); // the header and erin
  const row = table.getByRole("row").filter({ hasText: "erin@contoso.test" });
  await expect(row).toContainText("Erin Ross");
  await expect(row).toContainText("IT Operations");
  await expect(row.getByTestId("sensitive-badge")).toHaveText("Sensitive");

  await row.getByRole("link", { name: "erin@contoso.test" }).click();
  await expect(page.getByTestId("sensitive")).toContainText("Sensitive — member of Administrators, Domain Admins");
  await expect(page).toHaveTitle("erin@contoso.test · VPN Sight");
  await expect(page.getByTestId("directory-account")).toHaveText("Erin Ross · Domain administrator · IT Operations");
  await expect(page.getByTestId("account-state")).toContainText("enabled · password last set");
  await expect(page.getByTestId("account-names")).toHaveText("erin@contoso.test, CONTOSO\\erin");
  await page.getByTestId("manager").getByRole("link", { name: "Mia Wong" }).click();
  await expect(page.getByRole("heading", { name: "mia@contoso.test" })).toBeVisible();
  await expect(page.getByTestId("sensitive")).toHaveCount(0);
  await expect(page.getByTestId("directory-account")).toHaveText("Mia Wong · Security");

  const api = await (await request.get("/api/v1/identities?account=sensitive", { headers: auth })).json();
  expect(api.items.map((i: { identity: string }) => i.identity)).toEqual(["erin@contoso.test"]);
  expect(api.items[0]).toMatchObject({
    displayName: "Erin Ross",
    department: "IT Operations",
    inDirectory: true,
    accountState: "enabled",
    sensitive: true,
    sensitiveReason: "member of Administrators, Domain Admins",
  });

  // The bind password is nowhere in plaintext: not in any table, not in the product's log.
  const { logFile } = readState();
  const dump = new pg.Client({ connectionString: productDatabaseUrl() });
  await dump.connect();
  try {
    const { rows } = await dump.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    for (const { name } of rows) {
      const { rows: data } = await dump.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${name}" t`);
      expect(data.map((r) => r.row).join("\n"), name).not.toContain(SAMBA_ADMIN_PASSWORD);
    }
  } finally {
    await dump.end();
  }
  expect(fs.readFileSync(logFile, "utf8")).not.toContain(SAMBA_ADMIN_PASSWORD);
});
