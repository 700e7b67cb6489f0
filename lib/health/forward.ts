// A health issue's opening and closing, forwarded like alerts (same targets, same retry rule): CEF in syslog, JSON
// to the webhook with "type": "health-issue".
import type pg from "pg";
import { cefHeader, cefValue, deliverQueued, syslogLine, type DueRow } from "../alerts/delivery.ts";
import { CEF_SEVERITY, SYSLOG_SEVERITY } from "../alerts/severity.ts";
import { HEALTH_KINDS, type HealthKind } from "./kinds.ts";

export interface ForwardedHealthEvent {
  type: "health-issue";
  event: "opened" | "closed";
  id: string;
  kind: string;
  status: "open" | "closed";
  subject: string;
  message: string;
  openedAt: string;
  closedAt: string | null;
}

/** CEF: signature health:<kind>; severity medium on opening, low on closing; act=opened|closed. */
export function healthToCef(e: ForwardedHealthEvent): string {
  const title = HEALTH_KINDS[e.kind as HealthKind]?.title ?? e.kind;
  const severity = e.event === "opened" ? CEF_SEVERITY.medium : CEF_SEVERITY.low;
  const ext: [string, string | number | null][] = [
    ["rt", Date.parse(e.event === "opened" ? e.openedAt : (e.closedAt ?? e.openedAt))],
    ["act", e.event],
    ["msg", e.message],
    ["cs1Label", "healthIssueId"],
    ["cs1", e.id],
    ["cs2Label", "subject"],
    ["cs2", e.subject],
  ];
  const extension = ext
    .filter(([, v]) => v !== null && v !== "")
    .map(([k, v]) => `${k}=${cefValue(String(v))}`)
    .join(" ");
  return `CEF:0|VPN Sight|VPN Sight|1.0|${cefHeader(`health:${e.kind}`)}|${cefHeader(title)}|${severity}|${extension}`;
}

interface DueHealthDelivery extends DueRow {
  event: "opened" | "closed";
  issueId: string | null;
  kind: string;
  status: "open" | "closed";
  subject: string;
  message: string;
  openedAt: Date;
  closedAt: Date | null;
}

export async function deliverDueHealthEvents(pool: pg.Pool, now = new Date()): Promise<number> {
  const { rows: due } = await pool.query<DueHealthDelivery>(
    `SELECT d.id::text AS id, d.target, d.attempts, d.event, h.id::text AS "issueId", h.kind, h.status, h.subject,
       h.message, h."openedAt", h."closedAt"
     FROM "HealthDelivery" d LEFT JOIN "HealthIssue" h ON h.id = d."issueId"
     WHERE d."deliveredAt" IS NULL AND d."nextAttemptAt" <= $1 ORDER BY d.id LIMIT 50`,
    [now],
  );
  return deliverQueued(
    pool,
    "HealthDelivery",
    due,
    (d) => {
      if (d.issueId === null) return null;
      const event: ForwardedHealthEvent = {
        type: "health-issue",
        event: d.event,
        id: d.issueId,
        kind: d.kind,
        // As it was at this event: a closing forwarded late still says closed, an opening says open.
        status: d.event === "opened" ? "open" : "closed",
        subject: d.subject,
        message: d.message,
        openedAt: d.openedAt.toISOString(),
        closedAt: d.event === "closed" && d.closedAt ? d.closedAt.toISOString() : null,
      };
      const severity = d.event === "opened" ? SYSLOG_SEVERITY.medium : SYSLOG_SEVERITY.low;
      return { syslog: syslogLine(severity, "health", healthToCef(event)), json: event };
    },
    now,
  );
}
