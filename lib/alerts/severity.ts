// Alert severities, lowest first: one place for the scale, the raise for sensitive accounts, and what forwarding
// sends for each (CEF 0–10, syslog severity).
export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** One step higher (a sensitive account's alerts): critical stays critical. */
export function raisedSeverity(s: Severity): Severity {
  return SEVERITIES[Math.min(SEVERITIES.indexOf(s) + 1, SEVERITIES.length - 1)]!;
}

export const isSeverity = (s: string): s is Severity => (SEVERITIES as readonly string[]).includes(s);

/** CEF's 0–10 severity. */
export const CEF_SEVERITY: Record<Severity, number> = { low: 3, medium: 5, high: 8, critical: 10 };
/** RFC 5424 severity: notice, warning, critical, alert. */
export const SYSLOG_SEVERITY: Record<Severity, number> = { low: 5, medium: 4, high: 2, critical: 1 };
