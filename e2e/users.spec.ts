import { expect, test } from "@playwright/test";
import { ADMIN, readState } from "./product";
import { fetchFromPage, requestFrom, signIn, signInFrom, signInWithHeaders } from "./helpers";

test("an admin creates a user, changes its role and sets its password; the last admin cannot be demoted", async ({
  page,
  browser,
}) => {
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

  // The user signs in; an admin sets a new password: that session ends, the new password works.
  const userPage = await browser.newPage();
  await signIn(userPage, { email, password: "new-user-password-1" });
  const reset = page.getByRole("form", { name: "Set a password" });
  await reset.getByLabel("User").selectOption({ label: email });
  await reset.getByLabel("New password").fill("admin-set-password-2");
  await reset.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await userPage.goto("/identities");
  await expect(userPage).toHaveURL(/\/signin$/);
  await signIn(userPage, { email, password: "admin-set-password-2" });
  await userPage.close();

  // Only ADMIN is an active admin here (other specs' temporary admins are demoted or disabled).
  await page.getByTestId(`user-row-${ADMIN.email}`).getByLabel(`Role of ${ADMIN.email}`).selectOption("viewer");
  await expect(
    page.getByRole("alert").filter({ hasText: "This is the last active admin: make another user admin first." }),
  ).toBeVisible();
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
  await expect(
    page
      .getByRole("alert")
      .filter({ hasText: /Too many failed sign-in attempts from this address\. Try again in \d+ minutes?\./ }),
  ).toBeVisible();
});

test("a stranger's wrong passwords do not lock the owner out, and a forged X-Forwarded-For buys no fresh attempts", async ({
  page,
  request,
  baseURL,
}) => {
  const { adminToken } = readState();
  const owner = { email: `owner-${Date.now()}@e2e.test`, password: "owner-password-001" };
  expect(
    (
      await request.post("/api/v1/users", {
        headers: { authorization: `Bearer ${adminToken}` },
        data: { email: owner.email, role: "viewer", password: owner.password },
      })
    ).status(),
  ).toBe(201);
  // The stranger (the browser, 127.0.0.1) claims a new address on every attempt; the portal sees the socket peer.
  await page.goto("/signin");
  for (let i = 0; i < 5; i++) {
    await page.setExtraHTTPHeaders({ "x-forwarded-for": `203.0.113.${i + 1}` });
    await page.getByLabel("Email").fill(owner.email);
    await page.getByLabel("Password").fill(`stranger-guess-${i}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Incorrect email or password." })).toBeVisible();
  }
  await page.setExtraHTTPHeaders({ "x-forwarded-for": "203.0.113.77" });
  await page.getByLabel("Password").fill(owner.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(
    page.getByRole("alert").filter({ hasText: /Too many failed sign-in attempts from this address/ }),
  ).toBeVisible();
  // The owner, from another machine (127.0.0.2), signs in with the right password.
  expect(await signInFrom(baseURL!, "127.0.0.2", owner)).toBeNull();
  expect(await signInFrom(baseURL!, "127.0.0.2", { ...owner, password: "not-the-password" })).toBe(
    "Incorrect email or password.",
  );

  // The audit log names the socket peer, not the claimed address.
  const audit = await (
    await request.get("/api/v1/audit?limit=20", { headers: { authorization: `Bearer ${adminToken}` } })
  ).json();
  const throttled = audit.items.find(
    (e: { action: string; target: string }) => e.action === "auth.throttled" && e.target === `user:${owner.email}`,
  );
  // The browser reaches "localhost" over ::1 or 127.0.0.1: either way the peer, never the claimed 203.0.113.x.
  expect(throttled.sourceIp).toMatch(/^(127\.0\.0\.1|::1)$/);
  const spoofed = await request.post("/api/v1/tokens", {
    headers: { authorization: `Bearer ${adminToken}`, "x-forwarded-for": "198.51.100.200" },
    data: { name: `xff-${Date.now()}`, role: "viewer" },
  });
  expect(spoofed.status()).toBe(201);
  const after = await (
    await request.get("/api/v1/audit?limit=5", { headers: { authorization: `Bearer ${adminToken}` } })
  ).json();
  expect(after.items[0]).toMatchObject({ action: "token.create" });
  expect(after.items[0].sourceIp).toMatch(/^(127\.0\.0\.1|::1)$/);
});

test("cookies are Secure and HSTS is sent when HTTPS is reported by a trusted proxy, and only then", async ({
  request,
  baseURL,
}) => {
  const { adminToken } = readState();
  const user = { email: `https-${Date.now()}@e2e.test`, password: "https-password-001" };
  expect(
    (
      await request.post("/api/v1/users", {
        headers: { authorization: `Bearer ${adminToken}` },
        data: { email: user.email, role: "viewer", password: user.password },
      })
    ).status(),
  ).toBe(201);
  const https = { "x-forwarded-proto": "https", "x-forwarded-for": "198.51.100.60" };

  // Through the trusted TLS-terminating proxy (127.0.0.3): a __Secure- cookie marked Secure, and HSTS.
  const proxied = await signInWithHeaders(baseURL!, "127.0.0.3", user, https);
  expect(proxied.error).toBeNull();
  const sessionCookie = proxied.setCookies.find((c) => c.includes("session-token="))!;
  expect(sessionCookie).toMatch(/^__Secure-next-auth\.session-token=/);
  expect(sessionCookie).toMatch(/;\s*Secure/i);
  const cookie = sessionCookie.split(";")[0]!;
  const page = await requestFrom(baseURL!, "127.0.0.3", "GET", "/api/v1/identities?limit=1", { ...https, cookie });
  expect(page.status).toBe(200);
  expect(page.headers["strict-transport-security"]).toBe("max-age=31536000");

  // The same header from an untrusted client (127.0.0.1) is ignored: plain cookie, no HSTS.
  const forged = await signInWithHeaders(baseURL!, "127.0.0.1", user, https);
  expect(forged.error).toBeNull();
  const plain = forged.setCookies.find((c) => c.includes("session-token="))!;
  expect(plain).toMatch(/^next-auth\.session-token=/);
  expect(plain).not.toMatch(/;\s*Secure/i);
  const direct = await requestFrom(baseURL!, "127.0.0.1", "GET", "/api/v1/identities?limit=1", {
    ...https,
    cookie: plain.split(";")[0]!,
  });
  expect(direct.status).toBe(200);
  expect(direct.headers["strict-transport-security"]).toBeUndefined();
});

test("a user changes their own password under Your account: every session of theirs ends, only the new password works", async ({
  page,
  browser,
  request,
}) => {
  const { adminToken } = readState();
  const user = { email: `changer-${Date.now()}@e2e.test`, password: "changer-password-1" };
  const next = "changer-password-2";
  const created = await request.post("/api/v1/users", {
    headers: { authorization: `Bearer ${adminToken}` },
    data: { email: user.email, role: "viewer", password: user.password },
  });
  expect(created.status()).toBe(201);
  const elsewhere = await browser.newPage();
  await signIn(elsewhere, user);
  await signIn(page, user);

  await page.getByTestId("current-user").click();
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  const form = page.getByRole("form", { name: "Change password" });
  const fill = async (current: string, fresh: string, repeat: string) => {
    await form.getByLabel("Current password", { exact: true }).fill(current);
    await form.getByLabel("New password", { exact: true }).fill(fresh);
    await form.getByLabel("Repeat the new password", { exact: true }).fill(repeat);
    await form.getByRole("button", { name: "Change password" }).click();
  };
  await fill("not-my-password", next, next);
  await expect(form.getByRole("alert")).toHaveText("The current password is not correct.");
  await fill(user.password, next, `${next}x`);
  await expect(form.getByRole("alert")).toHaveText("The two new passwords differ.");
  await fill(user.password, next, next);
  await expect(page).toHaveURL(/\/signin\?passwordChanged=1$/);
  await expect(page.getByRole("status")).toHaveText("Password changed. Sign in with the new one.");

  await elsewhere.goto("/identities");
  await expect(elsewhere).toHaveURL(/\/signin$/);
  await elsewhere.close();
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Incorrect email or password." })).toBeVisible();
  await signIn(page, { email: user.email, password: next });
  const token = await request.post("/api/v1/account/password", {
    headers: { authorization: `Bearer ${adminToken}` },
    data: { currentPassword: "x", newPassword: "whatever-password-3" },
  });
  expect(token.status()).toBe(403);
});

test("signing out ends the session, on the server too: a copy of the cookie no longer works", async ({
  page,
  browser,
}) => {
  await signIn(page, ADMIN);
  const cookies = await page.context().cookies();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/settings/identities/vpn");
  await expect(page).toHaveURL(/\/signin$/);
  // Someone who copied the cookie before the sign-out:
  const thief = await browser.newContext();
  await thief.addCookies(cookies);
  const stolen = await thief.newPage();
  await stolen.goto("/settings/identities/vpn");
  await expect(stolen).toHaveURL(/\/signin$/);
  expect((await fetchFromPage(stolen, "GET", "/api/v1/settings/vpn")).status).toBe(401);
  await thief.close();
});

test("Sign out everywhere ends the user's sessions in every browser", async ({ page, browser, request }) => {
  const { adminToken } = readState();
  const user = { email: `everywhere-${Date.now()}@e2e.test`, password: "everywhere-password-1" };
  expect(
    (
      await request.post("/api/v1/users", {
        headers: { authorization: `Bearer ${adminToken}` },
        data: { email: user.email, role: "viewer", password: user.password },
      })
    ).status(),
  ).toBe(201);
  const elsewhere = await (await browser.newContext()).newPage();
  await signIn(elsewhere, user);
  await signIn(page, user);
  await page.goto("/settings/account");
  await expect(page.getByText(/after 60 minutes without activity, and 12 hours after sign-in/)).toBeVisible();
  page.once("dialog", (d) => void d.accept());
  await page.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await elsewhere.goto("/identities");
  await expect(elsewhere).toHaveURL(/\/signin/);
  await elsewhere.context().close();
  const audit = await (
    await request.get("/api/v1/audit?limit=10", { headers: { authorization: `Bearer ${adminToken}` } })
  ).json();
  expect(
    audit.items.some(
      (e: { action: string; target: string }) =>
        e.action === "user.sign-out-everywhere" && e.target === `user:${user.email}`,
    ),
  ).toBe(true);
});

test("the sign-in page and the console load without failed requests or console errors, with the product's icon", async ({
  page,
  request,
}) => {
  const problems: string[] = [];
  page.on("console", (m) => void (m.type() === "error" && problems.push(`console: ${m.text()}`)));
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("response", (r) => void (r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`)));
  const signin = await page.goto("/signin");
  // A strict Content-Security-Policy: scripts only with this response's nonce (a CSP violation is a console error below).
  const csp = signin!.headers()["content-security-policy"] ?? "";
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(csp).toContain("script-src 'self' 'nonce-");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toContain("unsafe-eval");
  expect(await page.locator(`script[nonce]`).count()).toBeGreaterThan(0);
  expect(await page.evaluate(() => [...document.scripts].filter((s) => !s.nonce).length)).toBe(0);
  expect(nonce).toBeTruthy();
  expect(signin!.headers()["permissions-policy"]).toContain("camera=()");
  expect((await request.get("/signin")).headers()["content-security-policy"]).not.toContain(nonce!); // fresh per request
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
    ["/settings/identities/vpn", "Settings › Identities › VPN"],
    ["/settings/identities/aliases", "Settings › Identities › Aliases"],
    ["/settings/alerts", "Settings › Alerts forwarding"],
    ["/settings/users", "Settings › Users"],
    ["/settings/tokens", "Settings › API tokens"],
    ["/settings/audit", "Settings › Audit log"],
  ];
  for (const [path, trail] of crumbs) {
    await page.goto(path);
    await expect(page.getByRole("navigation", { name: "Breadcrumb" })).toHaveText(trail);
  }
  await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/settings$/);
  expect(problems).toEqual([]);
});
