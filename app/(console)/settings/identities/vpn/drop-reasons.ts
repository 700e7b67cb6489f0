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
