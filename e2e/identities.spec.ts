import fs from "node:fs";
import pg from "pg";
import { expect, test } from "@playwright/test";
import { ADMIN, ANALYST, VIEWER, productDatabaseUrl, readState, runSeed } from "./product";
import { signIn } from "./helpers";

test.describe.configure({ mode: "serial" });

test.beforeAll(() => {
  // The seed's identity user23 lives in London; user3 signs in as CONTOSO\user3 (see prisma/seed-demo.ts).
  runSeed(readState().dataDir, 40, 1200);
});

test("an analyst finds an identity, sees its locations on a list and a map, filters the timeline and exports CSV", async ({
  page,
  request,
}) => {
  await signIn(page, ANALYST);
  await page.getByRole("link", { name: "Identities", exact: true }).click();
  await page.getByLabel("Search identities").fill("user23@contoso");
  await page.getByRole("button", { name: "Search" }).click();
  const rows = page.getByRole("table", { name: "Identities" }).getByRole("row");
  await expect(rows).toHaveCount(2);
  await expect(page.getByText("1 identity · page 1 of 1", { exact: true })).toBeVisible();
  await page.getByRole("link", { name: "user23@contoso.com", exact: true }).click();
  await expect(page.getByRole("heading", { name: "user23@contoso.com" })).toBeVisible();
  await expect(page.getByTestId("names-as-sent")).toContainText("user23");

  await page.getByRole("link", { name: "180 days" }).click();
  const london = page.getByTestId("location-row").filter({ hasText: "London" });
  await expect(london).toHaveCount(1);
  await expect(london).toContainText("United Kingdom");
  await expect(page.locator('[data-testid="map-marker"][data-label*="London"]')).toHaveCount(1);
  await expect(page.getByText("IP geolocation by DB-IP").first()).toBeVisible();

  // Usual or new: a place first seen within the range is new; the header names the new ones.
  const familiarity = await page.getByTestId("familiarity").allInnerTexts();
  expect(familiarity.every((f) => f === "usual" || f === "new")).toBe(true);
  const newCount = familiarity.filter((f) => f === "new").length;
  if (newCount === 0) await expect(page.getByTestId("new-places")).toHaveText("no new place");
  await expect(page.getByTestId("usual-countries")).toBeVisible();

  // The timeline: one row per session, its accounting records inside; filtered by the London place.
  await page.getByLabel("Range", { exact: true }).selectOption("180");
  await page.getByLabel("Location", { exact: true }).selectOption({ label: "London, England, United Kingdom" });
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/location=geo%7CGB%7CLondon/);
  const sessions = page.getByTestId("session-row");
  await expect(sessions.first()).toBeVisible();
  for (const text of await sessions.allInnerTexts()) expect(text).toContain("London");
  const first = sessions.first();
  await first.getByText(/\d+ records?/).click();
  await expect(first.getByTestId("session-events")).toContainText("Connection started");

  const downloadPromise = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const download = await downloadPromise;
  const csv = fs
    .readFileSync((await download.path())!, "utf8")
    .trim()
    .split("\n");
  expect(csv[0]).toBe(
    "time,type,publicIp,location,nas,vendor,assignedIp,durationSeconds,inputBytes,outputBytes,terminateCause,asn,asOrganization,hosting",
  );
  expect(csv.slice(1).every((line) => line.includes("London"))).toBe(true);
  const { adminToken } = readState();
  const api = await request.get(
    "/api/v1/identities/user23%40contoso.com/activities?days=180&location=geo%7CGB%7CLondon&limit=1000",
    { headers: { authorization: `Bearer ${adminToken}` } },
  );
  expect(csv.length - 1).toBe((await api.json()).items.length);

  const locations = await request.get("/api/v1/identities/user23%40contoso.com/locations?days=180", {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  const { items } = await locations.json();
  expect(items.find((l: { city: string }) => l.city === "London")).toMatchObject({
    countryCode: "GB",
    country: "United Kingdom",
  });
});

test("the identities list sorts by the 30-day session count across all identities", async ({ page }) => {
  await signIn(page, VIEWER);
  await page.goto("/identities");
  await page.getByRole("link", { name: "Sessions (30 d)" }).click();
  await expect(page).toHaveURL(/sort=sessions30d/);
  await expect(page.getByRole("link", { name: /Sessions \(30 d\) ▼/ })).toBeVisible();
  // The column by its header: a configured directory adds Name and Department before it.
  const counts = async () => {
    const table = page.getByRole("table", { name: "Identities" });
    const headers = await table.getByRole("columnheader").allInnerTexts();
    const column = headers.findIndex((h) => h.startsWith("Sessions (30 d)"));
    expect(column).toBeGreaterThan(0);
    const rows = (await table.getByRole("row").all()).slice(1); // after the header
    return Promise.all(rows.map(async (row) => Number(await row.getByRole("cell").nth(column).innerText())));
  };
  const descending = await counts();
  expect(descending.length).toBeGreaterThan(1);
  expect(descending).toEqual([...descending].sort((a, b) => b - a));
  await page.getByRole("link", { name: /Sessions \(30 d\)/ }).click();
  await expect(page).toHaveURL(/dir=asc/);
  await expect(page.getByRole("link", { name: /Sessions \(30 d\) ▲/ })).toBeVisible();
  const ascending = await counts();
  expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
  expect(ascending[0]).toBeLessThanOrEqual(descending.at(-1)!);
});

test("a viewer can read identities but sees no admin controls", async ({ page }) => {
  await signIn(page, VIEWER);
  await page.goto("/identities/user23%40contoso.com");
  await expect(page.getByRole("heading", { name: "user23@contoso.com" })).toBeVisible();
  await page.goto("/settings");
  await expect(page.getByRole("link", { name: /Identities › VPN/ })).toBeVisible();
  for (const admin of ["Users", "API tokens", "Audit log"])
    await expect(page.getByRole("link", { name: new RegExp(`^${admin}`) })).toHaveCount(0);
  await page.goto("/settings/identities/vpn");
  await expect(page.getByLabel("Shared Secret")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Add client" })).toHaveCount(0);
});

test("an admin maps a NetBIOS domain: DOMAIN\\user sessions join the UPN identity, audited", async ({ page }) => {
  // The seed sends every third identity as CONTOSO\userN (prisma/seed-demo.ts): user3 appears both ways.
  await signIn(page, ADMIN);
  await page.goto("/identities?q=contoso%5Cuser3");
  await expect(page.getByRole("link", { name: "contoso\\user3", exact: true })).toBeVisible();
  // An alert on the DOMAIN\user identity, and what the mapping will merge, counted in the database.
  const pool = new pg.Pool({ connectionString: productDatabaseUrl() });
  let expected: { identities: number; sessions: number; alerts: number };
  try {
    await pool.query(
      `INSERT INTO "Alert" ("dedupeKey", rule, severity, identity, "occurredAt", evidence, "updatedAt")
       VALUES ('e2e-merge', 'concurrent-countries', 'medium', 'contoso\\user3', now(), '{"summary":"e2e merge alert"}', now())`,
    );
    const { rows } = await pool.query<{ identities: number; sessions: number; alerts: number }>(
      `SELECT (SELECT count(*) FROM "Identity" WHERE starts_with(identity, 'contoso\\'))::int AS identities,
              (SELECT count(*) FROM "VpnSession" WHERE starts_with(identity, 'contoso\\'))::int AS sessions,
              (SELECT count(*) FROM "Alert" WHERE starts_with(identity, 'contoso\\'))::int AS alerts`,
    );
    expected = rows[0]!;
  } finally {
    await pool.end();
  }
  await page.goto("/settings/identities/aliases");
  const n = (x: number) => x.toLocaleString("en-US");
  await expect(page.getByTestId("unmapped-domain").filter({ hasText: "CONTOSO" })).toHaveText(
    new RegExp(`^CONTOSO: seen on ${n(expected.identities)} identities`),
  );
  await page.getByRole("button", { name: "Map CONTOSO…" }).click();
  await expect(page.getByRole("textbox", { name: "NetBIOS domain" })).toHaveValue("CONTOSO");
  await page.getByLabel("UPN suffix").fill("contoso.com");
  await expect(page.getByTestId("domain-merge-preview")).toHaveText(
    `Will merge ${n(expected.identities)} identities, ${n(expected.sessions)} sessions, ${n(expected.alerts)} alert${expected.alerts === 1 ? "" : "s"}.`,
  );
  await page.getByRole("button", { name: "Map domain" }).click();
  await expect(page.getByRole("table", { name: "Domain mappings" })).toContainText("contoso.com");
  await expect(page.getByTestId("unmapped-domain").filter({ hasText: "CONTOSO" })).toHaveCount(0);
  // The old address leads to the merged identity, which lists the old alert; API clients get a 301.
  await page.goto("/identities/contoso%5Cuser3");
  await expect(page).toHaveURL(/\/identities\/user3%40contoso\.com$/);
  await expect(page.getByText("e2e merge alert")).toBeVisible();
  const moved = await page.request.get("/api/v1/identities/contoso%5Cuser3/locations?days=30", { maxRedirects: 0 });
  expect(moved.status()).toBe(301);
  expect(moved.headers()["location"]).toBe("/api/v1/identities/user3%40contoso.com/locations?days=30");
  await page.goto("/identities?q=user3%40contoso");
  await expect(page.getByRole("link", { name: "user3@contoso.com", exact: true })).toBeVisible();
  await page.goto("/identities?q=contoso%5Cuser3");
  await expect(page.getByRole("link", { name: "contoso\\user3", exact: true })).toHaveCount(0);
  await page.goto("/identities/user3%40contoso.com");
  await expect(page.getByTestId("names-as-sent")).toContainText("CONTOSO\\user3");
  await page.goto("/settings/audit");
  await expect(page.getByRole("row").filter({ hasText: "domain-mapping.create" }).first()).toContainText(
    `user:${ADMIN.email}`,
  );
  // A cursor no id can reach (it was a server error) is reported like any bad filter.
  await page.goto("/settings/audit?before=99999999999999999999");
  await expect(
    page.getByRole("alert").filter({ hasText: "before is an entry id: use nextBefore from the previous page." }),
  ).toBeVisible();
});

test("the alerts list pages with Older alerts / Newest, filters by a local Created since, and reports a bad filter", async ({
  page,
  request,
}) => {
  const { adminToken } = readState();
  // The seed's travellers raise alerts once the detector has judged their sessions.
  let ids: string[] = [];
  await expect(async () => {
    const res = await request.get("/api/v1/alerts?limit=500", { headers: { authorization: `Bearer ${adminToken}` } });
    ids = (await res.json()).items.map((a: { id: string }) => a.id);
    expect(ids.length).toBeGreaterThanOrEqual(4);
  }).toPass({ timeout: 60_000 });
  const shown = () =>
    page
      .getByRole("table", { name: "Alerts" })
      .locator('a[href^="/alerts/"]')
      .evaluateAll((links) => links.map((a) => a.getAttribute("href")!.split("/").at(-1)!));

  await signIn(page, ANALYST);
  await page.goto("/alerts?limit=2");
  await expect.poll(shown).toEqual(ids.slice(0, 2));
  await expect(page.getByRole("link", { name: "← Newest" })).toHaveCount(0);
  await page.getByRole("link", { name: "Older alerts →" }).click();
  await expect.poll(shown).toEqual(ids.slice(2, 4));
  await page.getByRole("link", { name: "← Newest" }).click();
  await expect.poll(shown).toEqual(ids.slice(0, 2));

  await page.goto("/alerts");
  await page.getByLabel("Created since").fill("2099-06-15T12:00");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/since=2099-06-1\dT\d\d%3A00%3A00\.000Z/);
  await expect(page.getByText("No alert matches these filters.")).toBeVisible();
  await expect(page.getByLabel("Created since")).toHaveValue("2099-06-15T12:00");
  await page.getByLabel("Created since").fill("2000-06-15T12:00");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect.poll(async () => (await shown()).length).toBe(Math.min(ids.length, 100));

  await page.goto("/alerts?since=yesterday");
  await expect(page.getByRole("alert").filter({ hasText: "since must be an ISO 8601 date-time." })).toBeVisible();
  await expect(page.getByRole("table", { name: "Alerts" })).toHaveCount(0);
  await page.goto("/alerts?identity=user%0023");
  await expect(
    page.getByRole("alert").filter({ hasText: "Text cannot contain the NUL character (U+0000)." }),
  ).toBeVisible();
});

test("a hand-edited filter on the identities list or a profile is reported, not silently dropped", async ({ page }) => {
  await signIn(page, VIEWER);
  await page.goto("/identities?q=user23&sort=bogus");
  await expect(
    page.getByRole("alert").filter({ hasText: "sort is one of lastSeen, identity, sessions30d, locations30d." }),
  ).toBeVisible();
  await expect(page.getByRole("table", { name: "Identities" })).toHaveCount(0);
  await expect(page.getByLabel("Search identities")).toHaveValue("user23");
  await page.getByRole("link", { name: "Clear the filters" }).click();
  await expect(page).toHaveURL(/\/identities$/);
  await expect(page.getByRole("table", { name: "Identities" })).toBeVisible();
  await page.goto("/identities?page=0");
  await expect(page.getByRole("alert").filter({ hasText: "page is a whole number from 1 to 100000." })).toBeVisible();
  await page.goto("/identities?q=user%0023");
  await expect(
    page.getByRole("alert").filter({ hasText: "Text cannot contain the NUL character (U+0000)." }),
  ).toBeVisible();

  const profile = "/identities/user23%40contoso.com";
  for (const [query, message] of [
    ["type=bogus", "type is start, interim or stop."],
    ["days=45", "days is one of 7, 30, 90, 180."],
    ["cursor=not-a-cursor", "cursor is not valid: use nextCursor from the previous page."],
  ]) {
    const response = await page.goto(`${profile}?${query}`);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole("alert").filter({ hasText: message })).toBeVisible();
    await expect(page.getByRole("table", { name: "Activity timeline" })).toHaveCount(0);
  }
  await page.goto(`${profile}?days=180&type=stop`);
  await expect(page.getByRole("table", { name: "Activity timeline" })).toBeVisible();
});

test("an identity without VPN activity or an unknown alert answers 404 with a page that leads back", async ({
  page,
}) => {
  await signIn(page, VIEWER);
  const badlyEncoded = await page.goto("/identities/%FF");
  expect(badlyEncoded?.status()).toBe(400);
  for (const path of ["/identities/nobody%40nowhere.example", "/identities/user23%00", "/alerts/999999999"]) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
    await expect(page.getByTestId("current-user")).toHaveText(VIEWER.email);
  }
  await page.getByRole("main").getByRole("link", { name: "Identities" }).click();
  await expect(page).toHaveURL(/\/identities$/);
});
