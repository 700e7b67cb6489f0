import { spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import dgram from "node:dgram";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import pg from "pg";
import { expect, test, type Page } from "@playwright/test";
import { buildAccountingRequest, int, ipv4, isValidAccountingResponse, str } from "../sensor/testing/accounting-packet";
import { createTestCa } from "../lib/testing/test-pki";
import { ADMIN, ANALYST, productDatabaseUrl, readState, restartProduct } from "./product";
import { signIn } from "./helpers";

test.describe.configure({ mode: "serial" });

/** Every response body the browser receives, to prove no secret is ever sent to it. */
function recordResponseBodies(page: Page): () => Promise<string> {
  const bodies: Promise<string>[] = [];
  page.on("response", (response) => bodies.push(response.text().catch(() => "")));
  return async () => (await Promise.all(bodies)).join("\n");
}

async function dumpDatabase(dataDir: string): Promise<string> {
  const client = new pg.Client({ connectionString: productDatabaseUrl(dataDir) });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
    );
    const parts: string[] = [];
    for (const { table_name } of tables) {
      const { rows } = await client.query(`SELECT row_to_json(t)::text AS row FROM "${table_name}" t`);
      parts.push(...rows.map((r: { row: string }) => r.row));
    }
    return parts.join("\n");
  } finally {
    await client.end();
  }
}

const secret = `E2e-Secret-${Date.now()}-abc`;
let generated = "";

test("admin enables radius accounting with a secret, and a reload shows it saved", async ({ page }) => {
  const bodies = recordResponseBodies(page);
  await signIn(page, ADMIN);
  await page.getByRole("link", { name: "Settings", exact: true }).click();
  await page.getByRole("link", { name: /Identities › VPN/ }).click();
  await expect(page).toHaveURL(/\/settings\/identities\/vpn$/);
  await expect(page.getByTestId("secret-status")).toHaveText("not configured");
  await expect(page.getByTestId("accounting-port")).toHaveText("18130");

  const enable = page.getByLabel("Enable radius accounting");
  await enable.check();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(
    page.getByRole("alert").filter({ hasText: "Enter a shared secret to enable radius accounting." }),
  ).toBeVisible();

  await page.getByLabel("Shared Secret").fill("short");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(
    page.getByRole("alert").filter({ hasText: "The shared secret needs at least 16 characters." }),
  ).toBeVisible();

  await page.getByLabel("Shared Secret").fill(secret);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();

  await page.reload();
  await expect(page.getByLabel("Enable radius accounting")).toBeChecked();
  await expect(page.getByTestId("secret-status")).toContainText(`configured on`);
  await expect(page.getByTestId("secret-status")).toContainText(`by user:${ADMIN.email}`);
  await expect(page.getByLabel("Shared Secret")).toHaveValue("");
  expect(await bodies()).not.toContain(secret);
});

test("Generate fills a 32-character secret shown once; saving it rotates with a grace period", async ({ page }) => {
  const bodies = recordResponseBodies(page);
  await signIn(page, ADMIN);
  await page.goto("/settings/identities/vpn");
  await page.getByRole("button", { name: "Generate" }).click();
  generated = (await page.getByTestId("generated-secret").textContent()) ?? "";
  expect(generated).toMatch(/^[A-Za-z0-9]{32}$/);
  await expect(page.getByLabel("Shared Secret")).toHaveValue(generated);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect(page.getByTestId("generated-secret")).toHaveCount(0);
  await expect(page.getByTestId("previous-secret-status")).toContainText("still accepted until");
  const all = await bodies();
  expect(all).not.toContain(secret);
  // The generated value was made in the browser: the server never sends it back.
  expect(all).not.toContain(generated);
});

test("a restart keeps the settings, and no secret is in any log or database column", async ({ page }) => {
  await restartProduct();
  await signIn(page, ADMIN);
  await page.goto("/settings/identities/vpn");
  await expect(page.getByLabel("Enable radius accounting")).toBeChecked();
  await expect(page.getByTestId("secret-status")).toContainText("configured on");

  const state = readState();
  const logs = fs.readFileSync(state.logFile, "utf8");
  expect(logs).toContain("Portal: http://localhost");
  expect(logs).not.toContain(secret);
  expect(logs).not.toContain(generated);
  const dump = await dumpDatabase(state.dataDir);
  expect(dump).toContain("vpn.update");
  expect(dump).not.toContain(secret);
  expect(dump).not.toContain(generated);
});

test("the audit log shows who changed the VPN settings, with field names only", async ({ page }) => {
  await signIn(page, ADMIN);
  await page.goto("/settings/audit");
  const row = page.getByRole("row").filter({ hasText: "vpn.update" }).first();
  await expect(row).toContainText(`user:${ADMIN.email}`);
  await expect(row).toContainText("sharedSecret: rotated");
});

test("accounting from a real RADIUS client shows in the API and on the sensors panel; a wrong secret is dropped", async ({
  page,
  request,
}) => {
  const { viewerToken } = readState();
  const radclient = (file: string, withSecret: string) =>
    spawnSync("radclient", ["-r", "1", "-t", "2", "-f", file, "127.0.0.1:18130", "acct", withSecret], {
      encoding: "utf8",
    });
  const start = radclient("docs/sample-accounting-start.txt", generated);
  expect(start.status, start.stdout + start.stderr).toBe(0);
  expect(start.stdout).toContain("Received Accounting-Response");
  expect(radclient("docs/sample-accounting-start.txt", "not-the-right-secret-1").status).toBe(1);

  // CONTOSO\alice is its own identity unless a NetBIOS mapping (made by identities.spec) says CONTOSO = contoso.com.
  const auth = { authorization: `Bearer ${viewerToken}` };
  const mapped = (await (await request.get("/api/v1/domain-mappings", { headers: auth })).json()).items.some(
    (d: { netbiosDomain: string }) => d.netbiosDomain === "contoso",
  );
  const identity = mapped ? "alice@contoso.com" : "contoso\\alice";
  const response = await request.get(`/api/v1/vpn-sessions?identity=${encodeURIComponent(identity)}`, {
    headers: auth,
  });
  expect(response.status()).toBe(200);
  const { items } = await response.json();
  expect(items).toHaveLength(1);
  expect(items[0]).toMatchObject({
    identity,
    userName: "CONTOSO\\alice",
    publicIp: "81.2.69.142",
    assignedIp: "10.8.0.7",
    status: "open",
  });
  expect(items[0].location.countryCode).toBe("GB");

  await signIn(page, ADMIN);
  await page.goto("/settings/identities/vpn");
  // Heartbeats come every 10 s.
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("sensor-accepted").first()).toHaveText("1", { timeout: 1000 });
    await expect(page.getByTestId("sensor-dropped").first()).toContainText("1 bad authenticator", { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
});

test("an unusual connection raises an explained alert, and an analyst resolves it", async ({ page, request }) => {
  const { adminToken } = readState();
  const now = Math.floor(Date.now() / 1000);
  const packet = (id: string, status: string, ip: string, at: number, extra = "") =>
    `User-Name = "dave@contoso.com"\nNAS-IP-Address = 10.0.0.1\nAcct-Session-Id = "${id}"\nAcct-Status-Type = ${status}\nCalling-Station-Id = "${ip}"\nEvent-Timestamp = ${at}\n${extra}`;
  const history: string[] = [];
  for (let day = 35; day >= 2; day -= 3) {
    history.push(
      packet(`DH-${day}`, "Start", "81.2.69.142", now - day * 86400),
      packet(`DH-${day}`, "Stop", "81.2.69.142", now - day * 86400 + 3600, "Acct-Session-Time = 3600\n"),
    );
  }
  history.push(packet("DNEW", "Start", "133.11.0.1", now - 600));
  const sent = spawnSync("radclient", ["-p", "1", "-r", "2", "-t", "2", "127.0.0.1:18130", "acct", generated], {
    input: history.join("\n"),
    encoding: "utf8",
  });
  expect(sent.status, sent.stderr).toBe(0);

  let alerts: { id: string; rule: string; evidence: { summary: string } }[] = [];
  await expect(async () => {
    const res = await request.get("/api/v1/alerts?identity=dave%40contoso.com", {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    alerts = (await res.json()).items;
    expect(alerts.map((a) => a.rule)).toEqual(["suspicious-vpn-connection"]);
  }).toPass({ timeout: 30_000 });
  expect(alerts[0]!.evidence.summary).toContain("Japan");

  await signIn(page, ANALYST);
  await page.getByRole("link", { name: "Alerts", exact: true }).click();
  await page
    .getByRole("row")
    .filter({ hasText: "dave@contoso.com" })
    .getByRole("link", { name: "Suspicious VPN connection" })
    .click();
  await expect(page.getByTestId("alert-summary")).toContainText("Japan");
  await expect(page.getByRole("table", { name: "Baseline countries" })).toContainText("United Kingdom");
  await expect(page.getByTestId("alert-status")).toHaveText("New");
  await page.getByLabel("New status").selectOption("in_progress");
  await page.getByLabel("Comment").fill("Checking with Dave");
  await page.getByRole("button", { name: "Update" }).click();
  await expect(page.getByTestId("alert-status")).toHaveText("In progress");
  await page.getByLabel("New status").selectOption("resolved");
  await page.getByLabel("Comment").fill("Dave is travelling in Tokyo");
  await page.getByRole("button", { name: "Update" }).click();
  await expect(page.getByTestId("alert-status")).toHaveText("Resolved");
  await expect(page.getByText("Dave is travelling in Tokyo")).toBeVisible();

  await page.goto("/identities/dave%40contoso.com");
  await expect(page.getByRole("link", { name: "Suspicious VPN connection" })).toBeVisible();
  const viewerPatch = await request.patch(`/api/v1/alerts/${alerts[0]!.id}`, {
    headers: { authorization: `Bearer ${readState().viewerToken}` },
    data: { status: "in_progress" },
  });
  expect(viewerPatch.status()).toBe(403);
});

test("an admin forwards alerts to a syslog SIEM and sends a test CEF line", async ({ page }) => {
  const siem = dgram.createSocket("udp4");
  const received = new Promise<string>((resolve) => siem.on("message", (m) => resolve(m.toString())));
  await new Promise<void>((r) => siem.bind(0, "127.0.0.1", () => r()));
  await signIn(page, ADMIN);
  await page.goto("/settings/alerts");
  await page.getByLabel("Forward to syslog").check();
  await page.getByLabel("Host").fill("127.0.0.1");
  await page.getByLabel("Port").fill(String(siem.address().port));
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await page.getByRole("button", { name: "Send test" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Test sent to syslog." })).toBeVisible();
  expect(await received).toMatch(/vpnsight \d+ suspicious-vpn-connection - CEF:0\|VPN Sight\|/);
  siem.close();
});

// RadSec as an admin sets it up (accounting is enabled by the tests above).
test("an admin downloads the sensor's certificate, uploads a client CA, and RadSec accounting is stored", async ({
  page,
  request,
}) => {
  const { adminToken } = readState();
  await signIn(page, ADMIN);
  await page.goto("/settings/identities/vpn");
  const section = page.getByRole("region", { name: "RadSec (RADIUS over TLS)" });
  await expect(section.getByTestId("radsec-state").first()).toContainText("off: no client CA yet (port 20830)");
  const fingerprint = (await section.getByTestId("radsec-fingerprint").first().textContent())!.trim();
  expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

  const downloading = page.waitForEvent("download");
  await section.getByRole("link", { name: "Download certificate" }).first().click();
  const download = await downloading;
  const certPem = fs.readFileSync((await download.path())!, "utf8");
  expect(new X509Certificate(certPem).fingerprint256).toBe(fingerprint);

  // Bad input is refused with a reason, and nothing is saved.
  await section.getByLabel("or paste PEM").fill("not a certificate");
  await section.getByRole("button", { name: "Upload client CA" }).click();
  await expect(section.getByRole("alert")).toContainText("No certificate found");
  await expect(section.getByTestId("radsec-ca")).toHaveText("None uploaded.");

  const ca = await createTestCa("E2E Site CA");
  const client = await ca.issue("nas-e2e.contoso.test");
  const caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-e2e-ca-")), "site-ca.pem");
  fs.writeFileSync(caFile, ca.certPem);
  await section.getByLabel("CA certificate file (PEM)").setInputFiles(caFile);
  await section.getByRole("button", { name: "Upload client CA" }).click();
  await expect(section.getByTestId("radsec-ca")).toContainText("CN=E2E Site CA");
  // The sensor follows within a second; the panel shows it with the next heartbeat (every 10 s).
  await expect(async () => {
    await page.reload();
    await expect(section.getByTestId("radsec-state").first()).toContainText("on, TCP port 20830", { timeout: 1000 });
  }).toPass({ timeout: 30_000 });

  // A RadSec client that trusts exactly the downloaded certificate.
  const socket = tls.connect({
    host: "127.0.0.1",
    port: 20830,
    ca: certPem,
    checkServerIdentity: () => undefined,
    cert: client.certPem,
    key: client.keyPem,
  });
  await new Promise<void>((resolve, reject) => socket.once("secureConnect", resolve).once("error", reject));
  const packet = buildAccountingRequest("radsec", [
    str(1, "ivy@contoso.com"),
    int(40, 1),
    str(44, "E2E-TLS-1"),
    str(31, "81.2.69.160"),
    ipv4(4, "10.0.0.5"),
  ]);
  const answer = new Promise<Buffer>((resolve) => socket.once("data", resolve));
  socket.write(packet);
  expect(isValidAccountingResponse(await answer, packet, "radsec")).toBe(true);
  socket.destroy();
  const sessions = await (
    await request.get(`/api/v1/vpn-sessions?identity=${encodeURIComponent("ivy@contoso.com")}`, {
      headers: { authorization: `Bearer ${adminToken}` },
    })
  ).json();
  expect(sessions.items.map((s: { publicIp: string }) => s.publicIp)).toEqual(["81.2.69.160"]);

  await page.goto("/settings/audit");
  await expect(page.getByRole("row").filter({ hasText: "radsec.client_ca" }).first()).toContainText(
    `user:${ADMIN.email}`,
  );
});
