// Alert statuses and the allowed moves between them: one table for the API and the triage form.

export const ALERT_STATUSES = ["new", "in_progress", "resolved", "dismissed"] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

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
