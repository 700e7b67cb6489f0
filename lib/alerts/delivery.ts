import { createHmac } from "node:crypto";
import dgram from "node:dgram";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import type pg from "pg";
import type { Queryable, Sql } from "../db/pg.ts";
import { RULES, type RuleId } from "./detections.ts";
import { assertLiteralAllowed, describeDeliveryError, guardedLookup } from "./forwarding-destination.ts";
import { SECRET_PURPOSE, unseal } from "../secrets/seal.ts";
import { SETTINGS_ROW_ID } from "../db/settings-row.ts";
import { CEF_SEVERITY, SYSLOG_SEVERITY, isSeverity } from "./severity.ts";
import { readEvidence } from "./evidence.ts";

// Alert forwarding's sending side: formats, targets, the delivery queue. Plain pg, no Prisma:
// the sensor's detector process runs it (lib/alerts/forwarding-settings.ts holds the portal's settings).

export interface ForwardedAlert {
  id: string;
  rule: string;
  /** Every rule of the incident, the alert's own first. */
  rules: string[];
  severity: string;
  status: string;
  identity: string;
  occurredAt: string;
  createdAt: string;
  evidence: unknown;
}

export const cefHeader = (s: string) => s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|");
export const cefValue = (s: string) => s.replace(/\\/g, "\\\\").replace(/=/g, "\\=").replace(/\r?\n/g, "\\n");

/** ArcSight CEF: CEF:Version|Vendor|Product|Version|Signature ID|Name|Severity|Extension */
export function toCef(alert: ForwardedAlert): string {
  const evidence = readEvidence(alert.rule, alert.evidence);
  const title = RULES[alert.rule as RuleId]?.title ?? alert.rule;
  const severity = isSeverity(alert.severity) ? CEF_SEVERITY[alert.severity] : CEF_SEVERITY.medium;
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
    ["cs4Label", "rules"],
    ["cs4", alert.rules.join(",")],
  ];
  const extension = ext
    .filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => `${k}=${cefValue(String(v))}`)
    .join(" ");
  return `CEF:0|VPN Sight|VPN Sight|1.0|${cefHeader(alert.rule)}|${cefHeader(title)}|${severity}|${extension}`;
}

/** RFC 5424: <PRI>1 TIMESTAMP HOST APP PROCID MSGID - MSG; facility local0. */
export function syslogLine(severity: number, msgid: string, message: string, now = new Date()): string {
  return `<${16 * 8 + severity}>1 ${now.toISOString()} ${os.hostname() || "-"} vpnsight ${process.pid} ${msgid} - ${message}`;
}

/** An alert as a syslog line: severity by the alert's, MSGID its rule, the message its CEF. */
export function toSyslog5424(alert: ForwardedAlert, now = new Date()): string {
  const severity = isSeverity(alert.severity) ? SYSLOG_SEVERITY[alert.severity] : SYSLOG_SEVERITY.medium;
  return syslogLine(severity, alert.rule, toCef(alert), now);
}

export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export type Target = "syslog" | "webhook";

function sendSyslog(host: string, port: number, protocol: string, line: string): Promise<void> {
  assertLiteralAllowed(host, port);
  if (protocol === "tcp") {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection({ host, port, timeout: 5000, lookup: guardedLookup(port) }, () => {
        // RFC 6587 octet counting: "LEN SP MSG"
        socket.end(`${Buffer.byteLength(line)} ${line}`, () => resolve());
      });
      socket.on("timeout", () => socket.destroy(new Error("syslog TCP timeout")));
      socket.on("error", reject);
    });
  }
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({
      type: net.isIPv6(host) ? "udp6" : "udp4",
      lookup: guardedLookup(port) as dgram.SocketOptions["lookup"],
    });
    socket.send(line, port, host, (err) => {
      socket.close();
      if (err) reject(err);
      else resolve();
    });
  });
}

/**
 * POSTs the alert with node:http(s), not fetch: the connection goes through guardedLookup (the resolved address is
 * checked), and a redirect is a delivery error, never followed (it could point anywhere).
 */
function sendWebhook(url: string, secret: string, payload: unknown): Promise<void> {
  const body = JSON.stringify(payload);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const target = new URL(url);
  const port = Number(target.port || (target.protocol === "https:" ? 443 : 80));
  assertLiteralAllowed(target.hostname, port);
  const request = target.protocol === "https:" ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: "POST",
        lookup: guardedLookup(port),
        timeout: 5000,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "x-vpnsight-timestamp": timestamp,
          "x-vpnsight-signature": signWebhook(secret, timestamp, body),
        },
      },
      (res) => {
        res.resume(); // the body is never read into an error: it could echo anything
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else
          reject(
            new Error(
              status >= 300 && status < 400
                ? `webhook answered HTTP ${status} (redirects are not followed)`
                : `webhook answered HTTP ${status}`,
            ),
          );
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
    req.end(body);
  });
}

/** The forwarding settings' columns the senders need (the AlertForwarding row). */
export interface ForwardingTargets {
  syslogEnabled: boolean;
  syslogHost: string | null;
  syslogPort: number | null;
  syslogProtocol: string;
  webhookEnabled: boolean;
  webhookUrl: string | null;
  webhookSecretSealed: string | null;
}

export const enabledTargets = (row: ForwardingTargets | null | undefined): Target[] => [
  ...(row?.syslogEnabled ? (["syslog"] as const) : []),
  ...(row?.webhookEnabled ? (["webhook"] as const) : []),
];

export async function readForwardingTargets(db: Sql): Promise<ForwardingTargets | null> {
  const { rows } = await db.query<ForwardingTargets>(
    `SELECT "syslogEnabled", "syslogHost", "syslogPort", "syslogProtocol", "webhookEnabled", "webhookUrl", "webhookSecretSealed"
     FROM "AlertForwarding" WHERE id = $1`,
    [SETTINGS_ROW_ID],
  );
  return rows[0] ?? null;
}

/** One thing to forward, as each target takes it: a syslog line (CEF inside) and a webhook's JSON body. */
export interface Outgoing {
  syslog: string;
  json: unknown;
}

export async function sendMessage(row: ForwardingTargets | null, target: Target, message: Outgoing): Promise<void> {
  if (target === "syslog") {
    if (!row?.syslogHost || !row.syslogPort) throw new Error("syslog target not configured");
    return sendSyslog(row.syslogHost, row.syslogPort, row.syslogProtocol, message.syslog);
  }
  if (!row?.webhookUrl || !row.webhookSecretSealed) throw new Error("webhook target not configured");
  return sendWebhook(row.webhookUrl, unseal(row.webhookSecretSealed, SECRET_PURPOSE.alertWebhookSecret), message.json);
}

export const sendTo = (row: ForwardingTargets | null, target: Target, alert: ForwardedAlert): Promise<void> =>
  sendMessage(row, target, { syslog: toSyslog5424(alert), json: alert });

/** Queues a new alert for every enabled target (called when an alert is first created). */
export async function enqueueAlertDeliveries(db: Queryable, alertId: string): Promise<void> {
  for (const target of enabledTargets(await readForwardingTargets(db))) {
    await db.query(
      `INSERT INTO "AlertDelivery" ("alertId", target) VALUES ($1, $2) ON CONFLICT ("alertId", target) DO NOTHING`,
      [alertId, target],
    );
  }
}

/** Retry schedule: 5 s, 10 s, 20 s … capped at 1 h. */
export const backoffSeconds = (attempts: number) => Math.min(3600, 5 * 2 ** Math.max(0, attempts - 1));

interface DueDelivery {
  id: string;
  target: Target;
  attempts: number;
  /** Null when the alert is gone: nothing to send. */
  alertId: string | null;
  rule: string;
  rules: string[];
  severity: string;
  status: string;
  identity: string;
  occurredAt: Date;
  createdAt: Date;
  evidence: unknown;
}

/** A row of a delivery queue (AlertDelivery, HealthDelivery) that is due. */
export interface DueRow {
  id: string;
  target: Target;
  attempts: number;
}

/**
 * Sends each due row's message (null: what it was about is gone, the row goes too); failures are kept with their
 * error and retried with backoff. The one retry rule of every delivery queue. Returns the delivered count.
 */
export async function deliverQueued<R extends DueRow>(
  pool: Queryable,
  table: "AlertDelivery" | "HealthDelivery",
  due: R[],
  toMessage: (row: R) => Outgoing | null,
  now = new Date(),
): Promise<number> {
  if (!due.length) return 0;
  const targets = await readForwardingTargets(pool);
  let delivered = 0;
  for (const d of due) {
    const message = toMessage(d);
    if (message === null) {
      await pool.query(`DELETE FROM "${table}" WHERE id = $1`, [d.id]);
      continue;
    }
    try {
      await sendMessage(targets, d.target, message);
      await pool.query(`UPDATE "${table}" SET "deliveredAt" = now(), attempts = $2, "lastError" = NULL WHERE id = $1`, [
        d.id,
        d.attempts + 1,
      ]);
      delivered += 1;
    } catch (err) {
      const attempts = d.attempts + 1;
      await pool.query(`UPDATE "${table}" SET attempts = $2, "lastError" = $3, "nextAttemptAt" = $4 WHERE id = $1`, [
        d.id,
        attempts,
        describeDeliveryError(err),
        new Date(now.getTime() + backoffSeconds(attempts) * 1000),
      ]);
    }
  }
  return delivered;
}

/** Sends the alerts that are due. Returns the delivered count. */
export async function deliverDueAlerts(pool: pg.Pool, now = new Date()): Promise<number> {
  const { rows: due } = await pool.query<DueDelivery>(
    `SELECT d.id::text AS id, d.target, d.attempts, a.id::text AS "alertId", a.rule, a.rules, a.severity, a.status, a.identity, a."occurredAt", a."createdAt", a.evidence
     FROM "AlertDelivery" d LEFT JOIN "Alert" a ON a.id = d."alertId"
     WHERE d."deliveredAt" IS NULL AND d."nextAttemptAt" <= $1 ORDER BY d.id LIMIT 50`,
    [now],
  );
  return deliverQueued(
    pool,
    "AlertDelivery",
    due,
    (d) => {
      if (d.alertId === null) return null;
      const alert: ForwardedAlert = {
        id: d.alertId,
        rule: d.rule,
        rules: d.rules.length ? d.rules : [d.rule],
        severity: d.severity,
        status: d.status,
        identity: d.identity,
        occurredAt: d.occurredAt.toISOString(),
        createdAt: d.createdAt.toISOString(),
        evidence: d.evidence,
      };
      return { syslog: toSyslog5424(alert), json: alert };
    },
    now,
  );
}
