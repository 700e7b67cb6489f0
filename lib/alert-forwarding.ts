import { createHmac } from "node:crypto";
import dgram from "node:dgram";
import net from "node:net";
import os from "node:os";
import { z } from "zod";
import type { Db } from "./db/prisma.ts";
import { recordAudit, type Actor } from "./audit.ts";
import { RULES, type RuleId } from "./detections.ts";
import { parseInput, validationError } from "./errors.ts";
import { SECRET_PURPOSE, seal, unseal } from "./secrets.ts";

export interface ForwardedAlert {
  id: string;
  rule: string;
  severity: string;
  status: string;
  identity: string;
  occurredAt: string;
  createdAt: string;
  evidence: unknown;
}

// ---------- formats ----------

const cefHeader = (s: string) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|");
const cefValue = (s: string) => s.replace(/\\/g, "\\\\").replace(/=/g, "\\=").replace(/\r?\n/g, "\\n");

/** ArcSight CEF: CEF:Version|Vendor|Product|Version|Signature ID|Name|Severity|Extension */
export function toCef(alert: ForwardedAlert): string {
  const evidence = (alert.evidence ?? {}) as { summary?: string; session?: { publicIp?: string | null; location?: string; countryCode?: string | null } };
  const title = RULES[alert.rule as RuleId]?.title ?? alert.rule;
  const severity = alert.severity === "high" ? 8 : 5;
  const ext: [string, string | number | null | undefined][] = [
    ["rt", Date.parse(alert.occurredAt)],
    ["suser", alert.identity],
    ["src", evidence.session?.publicIp],
    ["msg", evidence.summary],
    ["cs1Label", "alertId"],
    ["cs1", alert.id],
    ["cs2Label", "location"],
    ["cs2", evidence.session?.location],
    ["cs3Label", "mitre"],
    ["cs3", RULES[alert.rule as RuleId]?.mitre],
  ];
  const extension = ext.filter(([, v]) => v !== undefined && v !== null && v !== "").map(([k, v]) => `${k}=${cefValue(String(v))}`).join(" ");
  return `CEF:0|VPN Sight|VPN Sight|1.0|${cefHeader(alert.rule)}|${cefHeader(title)}|${severity}|${extension}`;
}

/** RFC 5424: <PRI>1 TIMESTAMP HOST APP PROCID MSGID - MSG; facility local0, severity by alert severity. */
export function toSyslog5424(alert: ForwardedAlert, now = new Date()): string {
  const pri = 16 * 8 + (alert.severity === "high" ? 2 : 4);
  return `<${pri}>1 ${now.toISOString()} ${os.hostname() || "-"} vpnsight ${process.pid} ${alert.rule} - ${toCef(alert)}`;
}

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

// ---------- settings ----------

export const ForwardingSettingsSchema = z
  .object({
    syslogEnabled: z.boolean(),
    syslogHost: z.string().trim().max(255).optional().nullable(),
    syslogPort: z.number().int().min(1).max(65535).optional().nullable(),
    syslogProtocol: z.enum(["udp", "tcp"], { error: "syslogProtocol is udp or tcp." }).default("udp"),
    webhookEnabled: z.boolean(),
    webhookUrl: z.url({ protocol: /^https?$/, error: "webhookUrl must be an http(s) URL." }).optional().nullable(),
    /** Write-only; omit to keep the current one. */
    webhookSecret: z.string().min(16, "The webhook secret needs at least 16 characters.").max(256).optional(),
  })
  .strict();

export async function getForwardingSettings(db: Db) {
  const row = await db.alertForwarding.findUnique({ where: { id: 1 } });
  const recent = await db.alertDelivery.findMany({ orderBy: { id: "desc" }, take: 20 });
  return {
    syslogEnabled: row?.syslogEnabled ?? false,
    syslogHost: row?.syslogHost ?? null,
    syslogPort: row?.syslogPort ?? null,
    syslogProtocol: (row?.syslogProtocol ?? "udp") as "udp" | "tcp",
    webhookEnabled: row?.webhookEnabled ?? false,
    webhookUrl: row?.webhookUrl ?? null,
    webhookSecretConfigured: Boolean(row?.webhookSecretSealed),
    deliveries: recent.map((d) => ({
      id: d.id.toString(),
      alertId: d.alertId.toString(),
      target: d.target,
      attempts: d.attempts,
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
      nextAttemptAt: d.deliveredAt ? null : d.nextAttemptAt.toISOString(),
      lastError: d.lastError,
    })),
  };
}

export async function updateForwardingSettings(db: Db, input: unknown, actor: Actor) {
  const s = parseInput(ForwardingSettingsSchema, input);
  if (s.syslogEnabled && (!s.syslogHost || !s.syslogPort)) throw validationError("Syslog forwarding needs a host and a port.");
  if (s.webhookEnabled && !s.webhookUrl) throw validationError("Webhook forwarding needs a URL.");
  await db.$transaction(async (tx) => {
    const before = await tx.alertForwarding.findUnique({ where: { id: 1 } });
    if (s.webhookEnabled && !s.webhookSecret && !before?.webhookSecretSealed) throw validationError("Webhook forwarding needs a signing secret.");
    const data = {
      syslogEnabled: s.syslogEnabled,
      syslogHost: s.syslogHost ?? null,
      syslogPort: s.syslogPort ?? null,
      syslogProtocol: s.syslogProtocol,
      webhookEnabled: s.webhookEnabled,
      webhookUrl: s.webhookUrl ?? null,
      ...(s.webhookSecret ? { webhookSecretSealed: seal(s.webhookSecret, SECRET_PURPOSE.alertWebhookSecret) } : {}),
    };
    await tx.alertForwarding.upsert({ where: { id: 1 }, create: { id: 1, ...data }, update: data });
    const changes: Record<string, unknown> = {};
    for (const key of ["syslogEnabled", "syslogHost", "syslogPort", "syslogProtocol", "webhookEnabled", "webhookUrl"] as const) {
      if ((before?.[key] ?? null) !== data[key]) changes[key] = { from: before?.[key] ?? null, to: data[key] };
    }
    if (s.webhookSecret) changes.webhookSecret = before?.webhookSecretSealed ? "rotated" : "set";
    if (Object.keys(changes).length) await recordAudit(tx, actor, { action: "alert-forwarding.update", target: "settings:alert-forwarding", changes });
  });
  return getForwardingSettings(db);
}

// ---------- delivery ----------

type Target = "syslog" | "webhook";

function sendSyslog(host: string, port: number, protocol: string, line: string): Promise<void> {
  if (protocol === "tcp") {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ host, port, timeout: 5000 }, () => {
        // RFC 6587 octet counting: "LEN SP MSG"
        socket.end(`${Buffer.byteLength(line)} ${line}`, () => resolve());
      });
      socket.on("timeout", () => socket.destroy(new Error("syslog TCP timeout")));
      socket.on("error", reject);
    });
  }
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(host) ? "udp6" : "udp4");
    socket.send(line, port, host, (err) => {
      socket.close();
      if (err) reject(err);
      else resolve();
    });
  });
}

async function sendWebhook(url: string, secret: string, alert: ForwardedAlert): Promise<void> {
  const body = JSON.stringify(alert);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-vpnsight-timestamp": timestamp, "x-vpnsight-signature": signWebhook(secret, timestamp, body) },
    body,
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}`);
}

async function sendTo(db: Db, target: Target, alert: ForwardedAlert): Promise<void> {
  const row = await db.alertForwarding.findUnique({ where: { id: 1 } });
  if (target === "syslog") {
    if (!row?.syslogHost || !row.syslogPort) throw new Error("syslog target not configured");
    return sendSyslog(row.syslogHost, row.syslogPort, row.syslogProtocol, toSyslog5424(alert));
  }
  if (!row?.webhookUrl || !row.webhookSecretSealed) throw new Error("webhook target not configured");
  return sendWebhook(row.webhookUrl, unseal(row.webhookSecretSealed, SECRET_PURPOSE.alertWebhookSecret), alert);
}

/** Queues a new alert for every enabled target (called when an alert is first created). */
export async function enqueueAlertDeliveries(db: Pick<Db, "alertForwarding" | "alertDelivery">, alertId: bigint): Promise<void> {
  const row = await db.alertForwarding.findUnique({ where: { id: 1 } });
  const targets: Target[] = [...(row?.syslogEnabled ? (["syslog"] as const) : []), ...(row?.webhookEnabled ? (["webhook"] as const) : [])];
  for (const target of targets) {
    await db.alertDelivery.upsert({ where: { alertId_target: { alertId, target } }, create: { alertId, target }, update: {} });
  }
}

/** Retry schedule: 5 s, 10 s, 20 s … capped at 1 h. */
export const backoffSeconds = (attempts: number) => Math.min(3600, 5 * 2 ** Math.max(0, attempts - 1));

/** Sends what is due; failures are kept with their error and retried with backoff. Returns delivered count. */
export async function deliverDueAlerts(db: Db, now = new Date()): Promise<number> {
  const due = await db.alertDelivery.findMany({ where: { deliveredAt: null, nextAttemptAt: { lte: now } }, orderBy: { id: "asc" }, take: 50 });
  let delivered = 0;
  for (const d of due) {
    const alert = await db.alert.findUnique({ where: { id: d.alertId } });
    if (!alert) {
      await db.alertDelivery.delete({ where: { id: d.id } });
      continue;
    }
    try {
      await sendTo(db, d.target as Target, {
        id: alert.id.toString(), rule: alert.rule, severity: alert.severity, status: alert.status, identity: alert.identity,
        occurredAt: alert.occurredAt.toISOString(), createdAt: alert.createdAt.toISOString(), evidence: alert.evidence,
      });
      await db.alertDelivery.update({ where: { id: d.id }, data: { deliveredAt: new Date(), attempts: d.attempts + 1, lastError: null } });
      delivered += 1;
    } catch (err) {
      const attempts = d.attempts + 1;
      await db.alertDelivery.update({
        where: { id: d.id },
        data: { attempts, lastError: (err as Error).message.slice(0, 500), nextAttemptAt: new Date(now.getTime() + backoffSeconds(attempts) * 1000) },
      });
    }
  }
  return delivered;
}

/** "Send test": a sample alert to each enabled target, now; reports each result. */
export async function sendTestAlert(db: Db): Promise<{ target: Target; ok: boolean; error?: string }[]> {
  const row = await db.alertForwarding.findUnique({ where: { id: 1 } });
  const sample: ForwardedAlert = {
    id: "0", rule: "suspicious-vpn-connection", severity: "medium", status: "new", identity: "test@vpnsight.invalid",
    occurredAt: new Date().toISOString(), createdAt: new Date().toISOString(),
    evidence: { summary: "Test alert from VPN Sight", session: { publicIp: "192.0.2.1", location: "Test" } },
  };
  const targets: Target[] = [...(row?.syslogEnabled ? (["syslog"] as const) : []), ...(row?.webhookEnabled ? (["webhook"] as const) : [])];
  if (!targets.length) throw validationError("Enable a syslog or webhook target first.");
  const results: { target: Target; ok: boolean; error?: string }[] = [];
  for (const target of targets) {
    try {
      await sendTo(db, target, sample);
      results.push({ target, ok: true });
    } catch (err) {
      results.push({ target, ok: false, error: (err as Error).message });
    }
  }
  return results;
}
