/** Drops by reason as one line: "3 bad authenticator (wrong secret?), 1 unknown client"; "0" when none. */
export function droppedText(dropped: Record<string, number>): string {
  const nonZero = Object.entries(dropped).filter(([, n]) => n > 0);
  return nonZero.length
    ? nonZero.map(([r, n]) => `${n.toLocaleString("en")} ${DROP_REASON_LABELS[r] ?? r}`).join(", ")
    : "0";
}

/** Why the sensor dropped a request, as an admin reads it (the sensor's DROP_REASONS). */
export const DROP_REASON_LABELS: Record<string, string> = {
  malformed: "malformed",
  unknown_client: "unknown client",
  certificate_mismatch: "RadSec certificate not the client's",
  not_recording: "Status-Server while unable to record",
  bad_authenticator: "bad authenticator (wrong secret?)",
  bad_message_authenticator: "bad Message-Authenticator",
  unsupported_code: "not accounting",
  disabled: "accounting disabled",
  refused_by_database: "refused by the database (see the sensor's log)",
};
