import { expect, test } from "@playwright/test";
import { ADMIN, ANALYST, VIEWER, readState } from "./product";
import { fetchFromPage, signIn } from "./helpers";

test("an analyst sees the VPN settings read-only, and a forged save gets 403 and changes nothing", async ({ page }) => {
  await signIn(page, ANALYST);
  await expect(page.getByTestId("current-role")).toHaveText("analyst");
  await page.goto("/settings/identities/vpn");
  await expect(page.getByLabel("Enable radius accounting")).toBeDisabled();
  await expect(page.getByLabel("Shared Secret")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Add client" })).toHaveCount(0);

  const before = await fetchFromPage(page, "GET", "/api/v1/settings/vpn");
  expect(before.status).toBe(200);
  expect(Object.keys(before.json).sort()).toEqual(
    [
      "enabled",
      "port",
      "previousSecretExpiresAt",
      "rotationGraceHours",
      "secretConfigured",
      "secretUpdatedAt",
      "secretUpdatedBy",
    ].sort(),
  );
  const forged = await fetchFromPage(page, "PUT", "/api/v1/settings/vpn", {
    enabled: !before.json.enabled,
    sharedSecret: "forged-secret-0000001",
  });
  expect(forged.status).toBe(403);
  expect(forged.json.error.code).toBe("forbidden");
  const forgedClient = await fetchFromPage(page, "POST", "/api/v1/radius-clients", {
    name: "evil",
    address: "192.0.2.66",
  });
  expect(forgedClient.status).toBe(403);
  const after = await fetchFromPage(page, "GET", "/api/v1/settings/vpn");
  expect(after.json).toEqual(before.json);
  expect(
    (await fetchFromPage(page, "GET", "/api/v1/radius-clients")).json.items.map((c: { name: string }) => c.name),
  ).not.toContain("evil");

  await page.goto("/settings/users");
  await expect(page).toHaveURL(/\/forbidden$/);
  expect((await fetchFromPage(page, "GET", "/api/v1/users")).status).toBe(403);
});

test("a viewer cannot reach admin pages or APIs", async ({ page }) => {
  await signIn(page, VIEWER);
  for (const path of ["/settings/users", "/settings/audit", "/settings/tokens"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/forbidden$/);
  }
  expect((await fetchFromPage(page, "GET", "/api/v1/audit")).status).toBe(403);
});

test("the API answers 401 without a token, 403 for a short role, and publishes its OpenAPI document", async ({
  request,
}) => {
  const { adminToken, viewerToken } = readState();
  const anonymous = await request.get("/api/v1/settings/vpn");
  expect(anonymous.status()).toBe(401);
  expect((await anonymous.json()).error.code).toBe("unauthorized");
  expect(
    (await request.get("/api/v1/settings/vpn", { headers: { authorization: "Bearer vps_not-a-real-token" } })).status(),
  ).toBe(401);

  const asViewer = await request.get("/api/v1/settings/vpn", { headers: { authorization: `Bearer ${viewerToken}` } });
  expect(asViewer.status()).toBe(200);
  expect(await asViewer.json()).toMatchObject({ port: 18130 });
  const viewerPut = await request.put("/api/v1/settings/vpn", {
    headers: { authorization: `Bearer ${viewerToken}` },
    data: { enabled: false },
  });
  expect(viewerPut.status()).toBe(403);

  const badInput = await request.put("/api/v1/settings/vpn", {
    headers: { authorization: `Bearer ${adminToken}` },
    data: { enabled: "yes" },
  });
  expect(badInput.status()).toBe(400);
  expect((await badInput.json()).error).toMatchObject({
    code: "validation",
    message: "enabled must be true or false.",
  });
  const unknownClient = await request.patch("/api/v1/radius-clients/00000000-0000-4000-8000-000000000000", {
    headers: { authorization: `Bearer ${adminToken}` },
    data: { vendor: "f5" },
  });
  expect(unknownClient.status()).toBe(404);
  const created = await request.post("/api/v1/radius-clients", {
    headers: { authorization: `Bearer ${adminToken}` },
    data: { name: "lab-asa", address: "127.0.0.1", vendor: "cisco-asa" },
  });
  expect(created.status()).toBe(201);
  const duplicate = await request.post("/api/v1/radius-clients", {
    headers: { authorization: `Bearer ${adminToken}` },
    data: { name: "lab-asa", address: "127.0.0.2" },
  });
  expect(duplicate.status()).toBe(409);
  expect(
    (
      await request.delete(`/api/v1/radius-clients/${(await created.json()).id}`, {
        headers: { authorization: `Bearer ${adminToken}` },
      })
    ).status(),
  ).toBe(204);

  const openapi = await request.get("/api/v1/openapi.json");
  expect(openapi.status()).toBe(200);
  const doc = await openapi.json();
  expect(doc.openapi).toBe("3.1.0");
  expect(Object.keys(doc.paths)).toContain("/api/v1/settings/vpn");
  expect(Object.keys(doc.paths["/api/v1/settings/vpn"])).toEqual(["get", "put"]);

  // A path no route handles answers the API's JSON error, with or without a token.
  for (const headers of [{}, { authorization: `Bearer ${adminToken}` }] as Record<string, string>[]) {
    const missing = await request.post("/api/v1/no-such-thing/1", { headers, data: {} });
    expect(missing.status()).toBe(404);
    expect((await missing.json()).error).toEqual({
      code: "not_found",
      message: "No API route POST /api/v1/no-such-thing/1: see /api/v1/openapi.json.",
    });
  }
  // A missing field is named in the message.
  const noAddress = await request.post("/api/v1/radius-clients", {
    headers: { authorization: `Bearer ${adminToken}` },
    data: { name: "no-address" },
  });
  expect((await noAddress.json()).error.message).toBe("address is required.");
  // PostgreSQL text cannot hold U+0000: the door refuses it as bad input, wherever it comes in (not a 500).
  for (const [method, url, data] of [
    ["GET", "/api/v1/identities/%00", undefined],
    ["GET", "/api/v1/vpn-sessions?identity=a%00b", undefined],
    ["DELETE", "/api/v1/identity-aliases/a%00b", undefined],
    ["POST", "/api/v1/radius-clients", { name: "nul\u0000client", address: "127.0.0.3" }],
  ] as const) {
    const res = await request.fetch(url, { method, headers: { authorization: `Bearer ${adminToken}` }, data });
    expect(res.status(), url).toBe(400);
    expect((await res.json()).error, url).toEqual({
      code: "validation",
      message: "Text cannot contain the NUL character (U+0000).",
    });
  }
  // Odd addresses are the client's mistake (4xx), never a server error.
  const auth = { authorization: `Bearer ${adminToken}` };
  const badEncoding = await request.get("/api/v1/alerts/%FF", { headers: auth });
  expect(badEncoding.status()).toBe(400);
  expect((await badEncoding.json()).error).toEqual({
    code: "validation",
    message: "The address is not valid URL encoding.",
  });
  // A segment arrives decoded once: "%25" names the identity or alias "%" (none here), it is not decoded again.
  expect((await request.get("/api/v1/identities/%25", { headers: auth })).status()).toBe(404);
  expect((await request.delete("/api/v1/identity-aliases/%25", { headers: auth })).status()).toBe(404);
  const yearZero = await request.get("/api/v1/vpn-sessions?until=0000-01-01T00:00:00Z", { headers: auth });
  expect(yearZero.status()).toBe(400);
  expect((await yearZero.json()).error.message).toBe("until must be a date-time from the year 0001 on.");
});

test("a disabled user loses access at once, and a demoted one loses admin pages at once", async ({
  browser,
  request,
}) => {
  const { adminToken } = readState();
  const auth = { authorization: `Bearer ${adminToken}` };
  const user = { email: `temp-${Date.now()}@e2e.test`, password: "temporary-password-1" };
  const created = await request.post("/api/v1/users", { headers: auth, data: { ...user, role: "admin" } });
  expect(created.status()).toBe(201);
  const { id } = await created.json();

  const page = await browser.newPage();
  await signIn(page, user);
  await page.goto("/settings/users");
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();

  expect((await request.patch(`/api/v1/users/${id}`, { headers: auth, data: { role: "viewer" } })).status()).toBe(200);
  await page.goto("/settings/users");
  await expect(page).toHaveURL(/\/forbidden$/);

  expect((await request.patch(`/api/v1/users/${id}`, { headers: auth, data: { disabled: true } })).status()).toBe(200);
  await page.goto("/identities");
  await expect(page).toHaveURL(/\/signin$/);
  expect((await fetchFromPage(page, "GET", "/api/v1/settings/vpn")).status).toBe(401);
  await page.close();
  void ADMIN;
});

test("only an admin sees the alert webhook's URL whole: it carries the receiver's credential", async ({
  page,
  request,
}) => {
  const { adminToken, viewerToken } = readState();
  const url = "https://hooks.example.test/services/T0001/B0002/s3cr3t-token?sig=abc";
  const saved = await request.put("/api/v1/settings/alert-forwarding", {
    headers: { authorization: `Bearer ${adminToken}` },
    data: { syslogEnabled: false, webhookEnabled: false, webhookUrl: url, webhookSecret: "webhook-secret-e2e-0001" },
  });
  expect(saved.status()).toBe(200);
  expect((await saved.json()).webhookUrl).toBe(url);
  const asAdmin = await request.get("/api/v1/settings/alert-forwarding", {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  expect((await asAdmin.json()).webhookUrl).toBe(url);
  const asViewer = await request.get("/api/v1/settings/alert-forwarding", {
    headers: { authorization: `Bearer ${viewerToken}` },
  });
  const body = await asViewer.text();
  expect(JSON.parse(body).webhookUrl).toBe("https://hooks.example.test/•••");
  expect(body).not.toContain("s3cr3t-token");

  await signIn(page, ANALYST);
  await page.goto("/settings/alerts");
  await expect(page.getByLabel("URL")).toHaveValue("https://hooks.example.test/•••");
  expect(await page.content()).not.toContain("s3cr3t-token");
  await request.put("/api/v1/settings/alert-forwarding", {
    headers: { authorization: `Bearer ${adminToken}` },
    data: { syslogEnabled: false, webhookEnabled: false, webhookUrl: null },
  });
});
