// Health issues end to end: real radclient packets with a wrong secret into the real sensor open an ingestion
// failure (its detector runs the checks), the NAS table names the source and the reason, the opening reaches a
// signed webhook; the right secret closes it, and the closing is forwarded too.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateForwardingSettings, ForwardingSettingsSchema } from "../lib/alerts/forwarding-settings.ts";
import { signWebhook } from "../lib/alerts/delivery.ts";
import { createTestDatabase, type TestDatabase } from "../lib/testing/test-database.ts";
import { updateVpnSettings, VpnSettingsUpdateSchema } from "../lib/radius/vpn-settings.ts";
import { listHealthIssues } from "../lib/health/health-issues.ts";
import { listNasSources } from "../lib/health/nas-sources.ts";
import { parseInput } from "../lib/errors.ts";
import { startSensor, waitFor, type SensorProcess } from "./testing/sensor-process.ts";

const SECRET = "health-secret-000001";
const WEBHOOK_SECRET = "health-webhook-key-0001";
let t: TestDatabase;
let sensor: SensorProcess;
let siem: http.Server;
const received: { body: Record<string, unknown>; signatureOk: boolean }[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  await updateVpnSettings(t.db, parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: SECRET }), {
    label: "test",
  });
  siem = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const ts = String(req.headers["x-vpnsight-timestamp"]);
      received.push({
        body: JSON.parse(body) as Record<string, unknown>,
        signatureOk: req.headers["x-vpnsight-signature"] === signWebhook(WEBHOOK_SECRET, ts, body),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => siem.listen(0, "127.0.0.1", () => r()));
  await updateForwardingSettings(
    t.db,
    parseInput(ForwardingSettingsSchema, {
      syslogEnabled: false,
      webhookEnabled: true,
      webhookUrl: `http://127.0.0.1:${(siem.address() as AddressInfo).port}/hook`,
      webhookSecret: WEBHOOK_SECRET,
    }),
    { label: "test" },
  );
  sensor = await startSensor({
    DATABASE_URL: t.url,
    VPNSIGHT_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-health-")),
    ALERT_FORWARDING_ALLOW_PRIVATE: "1",
    VPNSIGHT_HEALTH_CHECK_MS: "1000",
  });
});
afterAll(async () => {
  await sensor.stop();
  siem.close();
  await t.drop();
});

function radclient(secret: string, id: string) {
  return spawnSync("radclient", ["-p", "1", "-r", "1", "-t", "1", `127.0.0.1:${sensor.port}`, "acct", secret], {
    input: `User-Name = "dave@contoso.com"\nAcct-Session-Id = "${id}"\nAcct-Status-Type = Start\nCalling-Station-Id = "81.2.69.142"\n`,
    encoding: "utf8",
  });
}

describe("health issues from a real sensor", () => {
  it("a NAS with a wrong secret opens an ingestion failure; the right secret closes it; both are forwarded", async () => {
    expect(radclient("not-the-secret-0000001", "H-1").status).not.toBe(0); // dropped: no answer
    const issue = await waitFor(
      async () => (await listHealthIssues(t.pool, { status: "open", kind: "ingestion-failure" }))[0],
      30_000,
      "an ingestion failure",
    );
    expect(issue).toMatchObject({ subject: "127.0.0.1", status: "open", closedAt: null });
    expect(issue.message).toMatch(
      /127\.0\.0\.1 sends RADIUS accounting with a wrong shared secret: \d+ requests? dropped/,
    );
    const nas = (await listNasSources(t.pool)).find((s) => s.source === "127.0.0.1");
    expect(nas?.dropped.bad_authenticator).toBeGreaterThanOrEqual(1);
    expect(nas?.accepted).toBe(0);
    const opened = await waitFor(async () => received.find((r) => r.body.event === "opened"), 15_000, "the webhook");
    expect(opened).toMatchObject({
      signatureOk: true,
      body: { type: "health-issue", kind: "ingestion-failure", status: "open", subject: "127.0.0.1", id: issue.id },
    });

    // Fixed on the NAS: the next record is accepted, and the issue closes by itself.
    const fixed = radclient(SECRET, "H-2");
    expect(fixed.status, fixed.stderr).toBe(0);
    const closed = await waitFor(
      async () => (await listHealthIssues(t.pool, { status: "closed", kind: "ingestion-failure" }))[0],
      30_000,
      "the issue closed",
    );
    expect(closed.id).toBe(issue.id);
    expect(closed.closedAt!.getTime()).toBeGreaterThan(issue.openedAt.getTime());
    expect(await listHealthIssues(t.pool, { status: "open", kind: "ingestion-failure" })).toEqual([]);
    const closing = await waitFor(async () => received.find((r) => r.body.event === "closed"), 15_000, "closing");
    expect(closing.body).toMatchObject({ id: issue.id, status: "closed", closedAt: closed.closedAt!.toISOString() });
    expect((await listNasSources(t.pool)).find((s) => s.source === "127.0.0.1")).toMatchObject({
      accepted: 1,
      vendor: "other", // no vendor attribute in these packets
    });
  });

  it("names its connections, so pg_stat_activity tells the sensor's from its detector's", async () => {
    const client = new pg.Client({ connectionString: t.url });
    await client.connect();
    try {
      const names = async () =>
        (
          await client.query<{ name: string }>(
            `SELECT DISTINCT application_name AS name FROM pg_stat_activity WHERE datname = current_database() ORDER BY 1`,
          )
        ).rows.map((r) => r.name);
      await expect
        .poll(names, { timeout: 10_000 })
        .toEqual(expect.arrayContaining(["vpnsight-detector", "vpnsight-sensor"]));
    } finally {
      await client.end();
    }
  });
});
