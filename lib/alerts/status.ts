// Alert statuses and the allowed moves between them: one table for the API and the triage form.

export const ALERT_STATUSES = ["new", "in_progress", "resolved", "dismissed"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** Still to be dealt with: what "open alerts" counts everywhere, and the status filter's "open". */
export const OPEN_STATUSES = ["new", "in_progress"] as const satisfies readonly AlertStatus[];

export const STATUS_LABELS: Record<AlertStatus, string> = {
  new: "New",
  in_progress: "In progress",
  resolved: "Resolved",
  dismissed: "Dismissed",
};

export const TRANSITIONS: Record<AlertStatus, AlertStatus[]> = {
  new: ["in_progress", "resolved", "dismissed"],
  in_progress: ["resolved", "dismissed", "new"],
  resolved: ["in_progress"],
  dismissed: ["in_progress"],
};
