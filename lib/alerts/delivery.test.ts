import dgram from "node:dgram";
import http from "node:http";
import net from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import {
  backoffSeconds,
  deliverDueAlerts,
  enqueueAlertDeliveries,
  signWebhook,
  toCef,
  toSyslog5424,
  type ForwardedAlert,
} from "./delivery.ts";
import { sendTestAlert, updateForwardingSettings, ForwardingSettingsSchema } from "./forwarding-settings.ts";
import { parseInput } from "../errors.ts";

let t: TestDatabase;
const admin = { label: "user:admin@contoso.com" };
const ALERT: ForwardedAlert = {
  id: "42",
  rule: "impossible-travel",
  rules: ["impossible-travel", "concurrent-countries"],
  severity: "high",
  status: "new",
  identity: "bob@contoso.com",
  occurredAt: "2026-11-24T12:00:00.000Z",
  createdAt: "2026-11-24T12:00:05.000Z",
  evidence: {
    summary: "London → Tokyo: 9,560 km in 1.0 h | a=b",
    session: { publicIp: "133.11.0.1", location: "Chiyoda City, Japan" },
  },
};

beforeAll(async () => {
  t = await createTestDatabase();
  // The receivers below listen on loopback, which forwarding refuses by default (see "destinations" below).
  process.env.ALERT_FORWARDING_ALLOW_PRIVATE = "1";
});
afterAll(async () => t.drop());
beforeEach(async () => {
  await t.db.alertDelivery.deleteMany();
  await t.db.alert.deleteMany();
});

async function storedAlert() {
  return t.db.alert.create({
    data: {
      dedupeKey: `k${Math.random()}`,
      rule: ALERT.rule,
      rules: ALERT.rules,
      severity: ALERT.severity,
      identity: ALERT.identity,
      occurredAt: new Date(ALERT.occurredAt),
      evidence: ALERT.evidence as object,
    },
  });
}

describe("formats", () => {
  it("writes CEF with escaped header and extension values", () => {
    const cef = toCef(ALERT);
    expect(cef.startsWith("CEF:0|VPN Sight|VPN Sight|1.0|impossible-travel|Impossible travel|8|")).toBe(true);
    expect(cef).toContain("suser=bob@contoso.com");
    expect(cef).toContain("src=133.11.0.1");
    expect(cef).toContain("msg=London → Tokyo: 9,560 km in 1.0 h | a\\=b");
    expect(cef).toContain(`rt=${Date.parse(ALERT.occurredAt)}`);
    expect(cef).toContain("cs4Label=rules cs4=impossible-travel,concurrent-countries");
  });

  it("frames syslog as RFC 5424 with local0 and the alert's severity", () => {
    expect(toSyslog5424(ALERT, new Date("2026-11-24T12:00:06Z"))).toMatch(
      /^<130>1 2026-11-24T12:00:06.000Z \S+ vpnsight \d+ impossible-travel - CEF:0\|/,
    );
    expect(toSyslog5424({ ...ALERT, severity: "medium" })).toMatch(/^<132>1 /);
  });

  it("backs off 5 s, 10 s, 20 s … up to an hour", () => {
    expect([1, 2, 3, 4, 20].map(backoffSeconds)).toEqual([5, 10, 20, 40, 3600]);
  });
});

describe("forwarding", () => {
  it("delivers a new alert as a CEF line to a syslog listener over UDP", async () => {
    const listener = dgram.createSocket("udp4");
    const received = new Promise<string>((resolve) => listener.on("message", (m) => resolve(m.toString())));
    await new Promise<void>((r) => listener.bind(0, "127.0.0.1", () => r()));
    await updateForwardingSettings(
      t.db,
      parseInput(ForwardingSettingsSchema, {
        syslogEnabled: true,
        syslogHost: "127.0.0.1",
        syslogPort: listener.address().port,
        syslogProtocol: "udp",
        webhookEnabled: false,
      }),
      admin,
    );
    const alert = await storedAlert();
    await enqueueAlertDeliveries(t.pool, alert.id.toString());
    expect(await deliverDueAlerts(t.pool)).toBe(1);
    const line = await received;
    expect(line).toMatch(
      /^<130>1 .* vpnsight \d+ impossible-travel - CEF:0\|VPN Sight\|VPN Sight\|1\.0\|impossible-travel\|Impossible travel\|8\|/,
    );
    expect(line).toContain(`cs1=${alert.id}`);
    listener.close();
    expect(await deliverDueAlerts(t.pool)).toBe(0); // delivered once
  });

  it("uses octet counting over TCP", async () => {
    let data = "";
    const server = net.createServer((s) => s.on("data", (d) => (data += d)));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    await updateForwardingSettings(
      t.db,
      parseInput(ForwardingSettingsSchema, {
        syslogEnabled: true,
        syslogHost: "127.0.0.1",
        syslogPort: (server.address() as net.AddressInfo).port,
        syslogProtocol: "tcp",
        webhookEnabled: false,
      }),
      admin,
    );
    const alert = await storedAlert();
    await enqueueAlertDeliveries(t.pool, alert.id.toString());
    expect(await deliverDueAlerts(t.pool)).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    const [length, ...rest] = data.split(" ");
    expect(Number(length)).toBe(Buffer.byteLength(rest.join(" ")));
    expect(rest.join(" ")).toContain("CEF:0|");
    server.close();
  });

  it("signs webhooks with HMAC-SHA256, keeps the secret write-only, and retries failures with the error visible", async () => {
    let status = 500;
    const bodies: { signature: string; timestamp: string; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        bodies.push({
          signature: String(req.headers["x-vpnsight-signature"]),
          timestamp: String(req.headers["x-vpnsight-timestamp"]),
          body,
        });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hook`;
    const view = await updateForwardingSettings(
      t.db,
      parseInput(ForwardingSettingsSchema, {
        syslogEnabled: false,
        webhookEnabled: true,
        webhookUrl: url,
        webhookSecret: "webhook-secret-000001",
      }),
      admin,
    );
    expect(JSON.stringify(view)).not.toContain("webhook-secret-000001");
    expect(JSON.stringify(await t.query(`SELECT * FROM "AlertForwarding"`))).not.toContain("webhook-secret-000001");
    const alert = await storedAlert();
    await enqueueAlertDeliveries(t.pool, alert.id.toString());

    expect(await deliverDueAlerts(t.pool)).toBe(0);
    const failed = await t.db.alertDelivery.findFirstOrThrow();
    expect(failed).toMatchObject({ attempts: 1, deliveredAt: null, lastError: "webhook answered HTTP 500" });
    expect(failed.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 3000);
    status = 204;
    expect(await deliverDueAlerts(t.pool, new Date(Date.now() + 6000))).toBe(1);
    const last = bodies.at(-1)!;
    expect(last.signature).toBe(signWebhook("webhook-secret-000001", last.timestamp, last.body));
    expect(JSON.parse(last.body)).toEqual({
      ...ALERT,
      id: alert.id.toString(),
      createdAt: alert.createdAt.toISOString(),
    });
    expect(await sendTestAlert(t.db)).toEqual([{ target: "webhook", ok: true }]);
    server.close();
  });

  it("queues an alert once per enabled target, and drops a delivery whose alert is gone", async () => {
    await updateForwardingSettings(
      t.db,
      parseInput(ForwardingSettingsSchema, {
        syslogEnabled: true,
        syslogHost: "127.0.0.1",
        syslogPort: 9,
        syslogProtocol: "udp",
        webhookEnabled: true,
        webhookUrl: "http://127.0.0.1:9/hook",
        webhookSecret: "webhook-secret-000001",
      }),
      admin,
    );
    const alert = await storedAlert();
    await enqueueAlertDeliveries(t.pool, alert.id.toString());
    await enqueueAlertDeliveries(t.pool, alert.id.toString());
    expect(await t.query(`SELECT target FROM "AlertDelivery" ORDER BY target`)).toEqual([
      { target: "syslog" },
      { target: "webhook" },
    ]);
    await t.db.alert.delete({ where: { id: alert.id } });
    expect(await deliverDueAlerts(t.pool)).toBe(0);
    expect(await t.query(`SELECT count(*)::int AS n FROM "AlertDelivery"`)).toEqual([{ n: 0 }]);
  });
});

describe("destinations (SSRF)", () => {
  const receiver = async (status = 204, location?: string) => {
    const hits: string[] = [];
    const server = http.createServer((req, res) => {
      hits.push(req.url ?? "");
      res.writeHead(status, location ? { location } : {}).end("a body that must not reach the admin");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    return { hits, server, port: (server.address() as net.AddressInfo).port };
  };
  const forward = async (webhookUrl: string) => {
    await updateForwardingSettings(
      t.db,
      parseInput(ForwardingSettingsSchema, {
        syslogEnabled: false,
        webhookEnabled: true,
        webhookUrl,
        webhookSecret: "webhook-secret-000001",
      }),
      admin,
    );
    return sendTestAlert(t.db);
  };

  it("refuses loopback (by address or by a name resolving to it), link-local and metadata addresses unless allowed", async () => {
    const r = await receiver();
    process.env.ALERT_FORWARDING_ALLOW_PRIVATE = "0";
    try {
      for (const url of [
        `http://127.0.0.1:${r.port}/hook`,
        `http://localhost:${r.port}/hook`,
        `http://[::ffff:127.0.0.1]:${r.port}/`,
        "http://169.254.169.254/latest/meta-data/",
      ]) {
        const [result] = await forward(url);
        expect(result, url).toMatchObject({
          target: "webhook",
          ok: false,
          error: expect.stringMatching(/^destination refused: .* \(ALERT_FORWARDING_ALLOW_PRIVATE=1 allows it\)$/),
        });
      }
      await updateForwardingSettings(
        t.db,
        parseInput(ForwardingSettingsSchema, {
          syslogEnabled: true,
          syslogHost: "127.0.0.1",
          syslogPort: 5514,
          webhookEnabled: false,
        }),
        admin,
      );
      expect((await sendTestAlert(t.db))[0]).toMatchObject({
        target: "syslog",
        ok: false,
        error: expect.stringContaining("destination refused"),
      });
      expect(r.hits).toEqual([]);
    } finally {
      process.env.ALERT_FORWARDING_ALLOW_PRIVATE = "1";
    }
    expect(await forward(`http://localhost:${r.port}/hook`)).toEqual([{ target: "webhook", ok: true }]);
    expect(r.hits).toEqual(["/hook"]);
    r.server.close();
  });

  it("does not follow redirects, and reports failures in words without the response body", async () => {
    const elsewhere = await receiver();
    const redirecting = await receiver(302, `http://127.0.0.1:${elsewhere.port}/internal`);
    expect(await forward(`http://127.0.0.1:${redirecting.port}/hook`)).toEqual([
      { target: "webhook", ok: false, error: "webhook answered HTTP 302 (redirects are not followed)" },
    ]);
    expect(elsewhere.hits).toEqual([]);
    const failing = await receiver(500);
    const [result] = await forward(`http://127.0.0.1:${failing.port}/hook`);
    expect(result).toEqual({ target: "webhook", ok: false, error: "webhook answered HTTP 500" });
    failing.server.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(await forward(`http://127.0.0.1:${failing.port}/hook`)).toEqual([
      { target: "webhook", ok: false, error: "connection refused" },
    ]);
    for (const r of [elsewhere, redirecting]) r.server.close();
  });
});
