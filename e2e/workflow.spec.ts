// The analyst's workflow on alerts raised from real radclient packets: a learning identity's impossible travel,
// an incident that maps both sessions, triage of 20 alerts in one action, and an exclusion made from an alert.
// Named to run after vpn-settings.spec, which expects accounting unconfigured at first; this one sets its own secret.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import pg from "pg";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { ADMIN, ANALYST, productDatabaseUrl, readState } from "./product";
import { signIn } from "./helpers";

test.describe.configure({ mode: "serial" });

const SECRET = `Workflow-Secret-${Date.now()}`;
const MOSCOW = "77.88.55.88";
const LONDON = "81.2.69.142";
const NOW = Math.floor(Date.now() / 1000);

function packet(identity: string, id: string, status: "Start" | "Stop", ip: string, at: number) {
  return [
    `User-Name = "${identity}"`,
    `NAS-IP-Address = 10.0.0.9`,
    `Acct-Session-Id = "${id}"`,
    `Acct-Status-Type = ${status}`,
    `Calling-Station-Id = "${ip}"`,
    `Event-Timestamp = ${at}`,
    "",
  ].join("\n");
}
/** Moscow, still open, then London ten minutes later: an identity's very first sessions. */
const moscowThenLondon = (identity: string, tag: string) => [
  packet(identity, `${tag}-MOW`, "Start", MOSCOW, NOW - 1200),
  packet(identity, `${tag}-LON`, "Start", LONDON, NOW - 600),
];

function radclient(packets: string[]) {
  const sent = spawnSync("radclient", ["-p", "10", "-r", "2", "-t", "3", "127.0.0.1:18130", "acct", SECRET], {
    input: packets.join("\n"),
    encoding: "utf8",
  });
  expect(sent.status, sent.stdout + sent.stderr).toBe(0);
}

const admin = () => ({ authorization: `Bearer ${readState().adminToken}` });

interface AlertJson {
  id: string;
  rule: string;
  rules: string[];
  status: string;
  severity: string;
  identity: string;
  occurrences: number;
  assignee: { email: string } | null;
  sessions: { role: string; publicIp: string; location: string; nas: string; countryCode: string }[];
  excludedBy: { reason: string } | null;
}
async function alertsOf(request: APIRequestContext, identity: string, expected: number): Promise<AlertJson[]> {
  let items: AlertJson[] = [];
  await expect(async () => {
    const res = await request.get(`/api/v1/alerts?identity=${encodeURIComponent(identity)}&limit=500`, {
      headers: admin(),
    });
    items = (await res.json()).items;
    expect(items).toHaveLength(expected);
  }).toPass({ timeout: 30_000 });
  return items;
}

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: productDatabaseUrl() });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function screenshot(page: Page, name: string) {
  await test.info().attach(name, { body: await page.screenshot({ fullPage: true }), contentType: "image/png" });
}

test.beforeAll(async ({ request }) => {
  const res = await request.put("/api/v1/settings/vpn", {
    headers: admin(),
    data: { enabled: true, sharedSecret: SECRET },
  });
  expect(res.status()).toBe(200);
  // The sensor follows the settings within a second or two.
  await new Promise((r) => setTimeout(r, 2500));
});

test("a learning identity's Moscow + London pair raises impossible travel at once; the alert shows and maps both sessions", async ({
  page,
  request,
}) => {
  radclient(moscowThenLondon("mira@contoso.com", "MIRA"));
  const [alert] = await alertsOf(request, "mira@contoso.com", 1);
  // One incident: impossible travel (overlapping sessions), with concurrent countries inside.
  expect(alert!.rules).toEqual(["impossible-travel", "concurrent-countries"]);
  expect(alert!.severity).toBe("high");
  expect(alert!.sessions.map((s) => [s.role, s.publicIp, s.countryCode, s.nas])).toEqual([
    ["trigger", LONDON, "GB", "10.0.0.9"],
    ["previous", MOSCOW, "RU", "10.0.0.9"],
  ]);

  await signIn(page, ANALYST);
  await page.goto(`/identities/${encodeURIComponent("mira@contoso.com")}`);
  await expect(page.getByText("Impossible travel").first()).toBeVisible();
  await page.goto(`/alerts/${alert!.id}`);
  await expect(page).toHaveTitle(`Alert #${alert!.id} · VPN Sight`);
  await expect(page.getByTestId("alert-also")).toContainText("Concurrent countries");
  const sessions = page.getByRole("table", { name: "Alert sessions" });
  await expect(sessions.getByRole("row")).toHaveCount(3);
  await expect(sessions.getByRole("row").nth(1)).toContainText(LONDON);
  await expect(sessions.getByRole("row").nth(1)).toContainText("10.0.0.9");
  await expect(sessions.getByRole("row").nth(1)).toContainText("still open");
  await expect(sessions.getByRole("row").nth(2)).toContainText(MOSCOW);
  await expect(sessions.getByRole("row").nth(2)).toContainText("Moscow");
  // Both places on the map, one session each.
  const markers = page.getByTestId("map-marker");
  await expect(markers).toHaveCount(2);
  await expect(markers.locator("title")).toHaveText([/London.*: 1 session$/, /Moscow.*: 1 session$/]);
  // Found as a concurrent-countries alert too (an incident matches any of its rules), mapping both places.
  await page.goto("/alerts?rule=concurrent-countries&identity=mira%40contoso.com");
  await page.getByRole("table", { name: "Alerts" }).getByRole("link", { name: "Impossible travel" }).click();
  await expect(page.getByTestId("map-marker")).toHaveCount(2);
  // "Around then" opens the identity's timeline at that moment.
  await sessions.getByRole("row").nth(2).getByRole("link", { name: "Around then" }).click();
  await expect(page).toHaveURL(/\/identities\/mira%40contoso\.com\?since=.*&until=.*#timeline$/);
  await expect(page.getByTestId("timeline-window")).toBeVisible();
  await expect(page.locator("#timeline")).toContainText(MOSCOW);
});

test("an analyst triages 20 alerts in one action: status, assignee and one comment, audited per alert", async ({
  page,
  request,
}) => {
  const who = Array.from({ length: 20 }, (_, i) => `bulk-e2e-${String(i + 1).padStart(2, "0")}@contoso.com`);
  radclient(who.flatMap((identity, i) => moscowThenLondon(identity, `BULK${i}`)));
  const raised = await alertsOf(request, "bulk-e2e-", 20);

  await signIn(page, ANALYST);
  // The identity filter finds a part of a name; an empty list says why it is empty.
  await page.goto("/alerts?identity=nobody-by-that-name");
  await expect(page.getByText("No identity matches “nobody-by-that-name”")).toBeVisible();
  await page.goto("/alerts?identity=bulk-e2e-");
  await expect(page.getByTestId("alert-counts")).toContainText("New 20");
  await expect(page.getByRole("table", { name: "Alerts" }).getByRole("row")).toHaveCount(21);
  await page.getByLabel("Select all alerts on this page").check();
  await expect(page.getByTestId("selected-count")).toHaveText("20 selected");
  await page.getByLabel("Set status").selectOption("in_progress");
  await page.getByLabel("Assign to").selectOption(ANALYST.email);
  await page.getByLabel("Comment (on each)").fill("Red-team exercise, checking with the team");
  await page.getByRole("button", { name: "Apply to selected" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Updated 20 alerts." })).toBeVisible();
  await expect(page.getByTestId("alert-counts")).toContainText("In progress 20");
  await screenshot(page, "alerts-1280");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "alerts-390");
  // On a phone the list keeps its key columns (alert, severity, identity) within the screen; the rest is behind
  // each row's Details.
  const table = page.getByRole("table", { name: "Alerts" });
  await expect(table.getByRole("columnheader")).toHaveText(
    ["Select all alerts on this page", "Alert", "Severity", "Identity"].map((t) => (t.startsWith("Select") ? "" : t)),
  );
  expect((await table.boundingBox())!.width).toBeLessThanOrEqual(390);
  const firstRow = table.getByRole("row").nth(1);
  await expect(firstRow.getByRole("link").first()).toBeVisible();
  await firstRow.getByText("Details").click();
  await expect(firstRow.getByTestId("row-details")).toContainText("Moscow, Russia and London");
  await page.setViewportSize({ width: 1280, height: 800 });

  // Filter by assignee, as the API does.
  await page.goto("/alerts?identity=bulk-e2e-&assignee=me");
  await expect(page.getByRole("table", { name: "Alerts" }).getByRole("row")).toHaveCount(21);
  const after = await alertsOf(request, "bulk-e2e-", 20);
  expect(after.every((a) => a.status === "in_progress" && a.assignee?.email === ANALYST.email)).toBe(true);
  const audits = await query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "AuditEntry" WHERE action = 'alert.update' AND actor = $1 AND target = ANY($2)`,
    [`user:${ANALYST.email}`, raised.map((a) => `alert:${a.id}`)],
  );
  expect(audits[0]!.n).toBe(20);
  const notes = await query<{ n: number }>(
    `SELECT count(*)::int AS n FROM "AlertNote" WHERE comment = 'Red-team exercise, checking with the team'`,
  );
  expect(notes[0]!.n).toBe(20);

  // The profile of one of them, on a desk and on a phone.
  await page.goto(`/identities/${encodeURIComponent(who[0]!)}`);
  await screenshot(page, "profile-1280");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "profile-390");
  const sessions = page.getByRole("table", { name: "Activity timeline" });
  expect((await sessions.boundingBox())!.width).toBeLessThanOrEqual(390);
  await sessions.getByTestId("session-row").first().getByText("Details").click();
  await expect(sessions.getByTestId("row-details").first()).toContainText("10.0.0.9");
});

test("an exclusion made from an alert keeps the next matching session from raising anything", async ({
  page,
  request,
}) => {
  radclient(moscowThenLondon("xena@contoso.com", "XENA"));
  const [alert] = await alertsOf(request, "xena@contoso.com", 1);

  await signIn(page, ANALYST);
  await page.goto(`/alerts/${alert!.id}`);
  const form = page.getByRole("form", { name: "Exclude" });
  await form.getByLabel("Exclude").selectOption({ label: `this IP (${LONDON})` });
  await form.getByLabel("From").selectOption("all");
  await form.getByLabel("Reason").fill("London office egress");
  await form.getByRole("button", { name: "Add exclusion" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Excluded: every rule · IP ${LONDON}.` })).toBeVisible();
  await expect(page.getByTestId("alert-excluded")).toContainText("London office egress");

  // Another London session while Moscow is still open: judged, and nothing raised or added.
  radclient([packet("xena@contoso.com", "XENA-LON-2", "Start", LONDON, NOW - 300)]);
  await expect(async () => {
    const [row] = await query<{ judged: boolean }>(
      `SELECT "detectedAt" IS NOT NULL AS judged FROM "VpnSession" WHERE "acctSessionId" = 'XENA-LON-2'`,
    );
    expect(row?.judged).toBe(true);
  }).toPass({ timeout: 30_000 });
  const [still] = await alertsOf(request, "xena@contoso.com", 1);
  expect(still!.occurrences).toBe(1);
  expect(still!.excludedBy?.reason).toBe("London office egress");

  // Settings › Detections lists it with what it held back (travel and concurrent countries of that session).
  await page.goto("/settings/detections");
  const row = page
    .getByRole("table", { name: "Exclusions" })
    .getByRole("row")
    .filter({ hasText: "London office egress" });
  await expect(row).toContainText(`every rule · IP ${LONDON}`);
  await expect(row.getByRole("cell").nth(2)).toContainText("2");
  await expect(row).toContainText(`from alert #${alert!.id}`);
  const audit = await query<{ actor: string }>(`SELECT actor FROM "AuditEntry" WHERE action = 'exclusion.create'`);
  expect(audit.map((a) => a.actor)).toContain(`user:${ANALYST.email}`);

  // A viewer reads exclusions but may not add one (the API refuses, the page offers no form).
  // The API is in the OpenAPI document.
  const openapi = await (await request.get("/api/v1/openapi.json")).json();
  expect(Object.keys(openapi.paths["/api/v1/exclusions"]).sort()).toEqual(["get", "post"]);
  expect(Object.keys(openapi.paths["/api/v1/exclusions/{id}"])).toEqual(["delete"]);
  expect(Object.keys(openapi.components.schemas.Alert.properties)).toEqual(
    expect.arrayContaining(["sessions", "rules", "assignee", "excludedBy"]),
  );
  const viewer = await request.post("/api/v1/exclusions", {
    headers: { authorization: `Bearer ${readState().viewerToken}` },
    data: { countryCode: "RU", reason: "nope" },
  });
  expect(viewer.status()).toBe(403);

  // The admin removes it; the list says so.
  await signIn(page, ADMIN);
  await page.goto("/settings/detections");
  page.once("dialog", (d) => d.accept());
  await page
    .getByRole("table", { name: "Exclusions" })
    .getByRole("row")
    .filter({ hasText: "London office egress" })
    .getByRole("button", { name: "Remove" })
    .click();
  await expect(page.getByText("No exclusions: every finding becomes an alert.")).toBeVisible();
});

test("VPN activity across identities: filtered to a country, an IP's page shows the two identities sharing it, CSV export", async ({
  page,
}) => {
  // Two identities through the same AWS address (AS16509, Incheon): one shared egress.
  const AWS = "3.5.140.1";
  radclient([
    packet("pat@contoso.com", "PAT-1", "Start", AWS, NOW - 900),
    packet("sam@contoso.com", "SAM-1", "Start", AWS, NOW - 800),
  ]);
  // From the overview: South Korea among the day's countries, new (nothing came from it before).
  await signIn(page, ANALYST);
  await page.getByRole("link", { name: "Overview", exact: true }).click();
  await expect(page.getByTestId("new-countries")).toContainText("South Korea");
  await page.getByRole("table", { name: "Top countries" }).getByRole("link", { name: "South Korea" }).click();
  await expect(page).toHaveURL(/\/activity\?country=KR&since=/);
  const rows = page.getByTestId("activity-session");
  await expect(rows).toHaveCount(2);
  for (const text of await rows.allInnerTexts()) {
    expect(text).toContain("Incheon");
    expect(text).toContain("AS16509 Amazon.com, Inc.");
    expect(text).toContain("hosting");
  }
  await rows.first().getByRole("link", { name: AWS }).click();
  await expect(page).toHaveURL(new RegExp(`/ip/${AWS.replaceAll(".", "\\.")}$`));
  await expect(page.getByTestId("ip-network")).toContainText("AS16509 Amazon.com, Inc.");
  await expect(page.getByTestId("shared-ip")).toContainText("Used by 2 identities");
  const identities = page.getByRole("table", { name: "Identities of this IP" });
  await expect(identities.getByRole("link")).toHaveText(["sam@contoso.com", "pat@contoso.com"]);
  // The network's own page: the same two identities.
  await page.getByTestId("ip-network").getByRole("link").click();
  await expect(page).toHaveURL(/\/network\/16509$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("AS16509 Amazon.com, Inc.");
  await expect(page.getByTestId("network-identities")).toHaveText("2");
  await page.goBack();
  // The profile flags the shared address too.
  await identities.getByRole("link", { name: "pat@contoso.com" }).click();
  await expect(page.getByTestId("shared-ip").first()).toHaveText("also used by 1 other identity");

  // Back on the activity page, the filtered CSV has the same sessions, with their network.
  await page.goto("/activity?country=KR");
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const csv = fs
    .readFileSync((await (await download).path())!, "utf8")
    .trim()
    .split("\n");
  expect(csv[0]).toBe(
    "startedAt,endedAt,status,identity,userName,publicIp,countryCode,city,asn,asOrganization,hosting,nas,vendor,assignedIp,durationSeconds,inputBytes,outputBytes",
  );
  expect(
    csv
      .slice(1)
      .map((l) => l.split(",")[3])
      .sort(),
  ).toEqual(["pat@contoso.com", "sam@contoso.com"]);
  expect(csv.slice(1).every((l) => l.includes(',16509,"Amazon.com, Inc.",true,'))).toBe(true);

  // Bad filters are named, on the page and in the API.
  await page.goto("/activity?ip=10.0.0.0/33");
  await expect(page.getByRole("alert").filter({ hasText: "ip is an IP address or a CIDR block" })).toBeVisible();
  const api = async (q: string) =>
    page.request
      .get(`/api/v1/vpn-sessions?${q}`, { headers: admin() })
      .then(async (r) => [r.status(), (await r.json()).error?.message]);
  expect(await api("asn=4294967290")).toEqual([400, "AS4294967290 is not a network the network-owner data knows."]);
  expect(await api("since=2025-01-01T00:00:00Z&until=2026-01-01T00:00:00Z")).toEqual([
    400,
    "A range spans at most 180 days.",
  ]);
  expect((await api("hosting=maybe"))[0]).toBe(400);
});
