// Every RADIUS protocol number the sensor uses, defined once (RFC 2865, 2866, 2869, 3162, 2868, 6911).

export const CODE = {
  accountingRequest: 4,
  accountingResponse: 5,
  /** RFC 5997: a liveness probe; on the accounting port it is answered with an Accounting-Response. */
  statusServer: 12,
} as const;

export const HEADER_LENGTH = 20;
export const MAX_PACKET_LENGTH = 4096;
export const AUTHENTICATOR_OFFSET = 4;
export const AUTHENTICATOR_LENGTH = 16;

export const ATTR = {
  userName: 1,
  nasIpAddress: 4,
  framedIpAddress: 8,
  callingStationId: 31,
  calledStationId: 30,
  /** RFC 2865 §5.33: opaque to us, copied into the reply unmodified and in order. */
  proxyState: 33,
  nasIdentifier: 32,
  vendorSpecific: 26,
  acctStatusType: 40,
  acctDelayTime: 41,
  acctInputOctets: 42,
  acctOutputOctets: 43,
  acctSessionId: 44,
  acctSessionTime: 46,
  acctTerminateCause: 49,
  acctInputGigawords: 52,
  acctOutputGigawords: 53,
  eventTimestamp: 55,
  tunnelClientEndpoint: 66,
  messageAuthenticator: 80,
  acctInterimInterval: 85,
  nasIpv6Address: 95,
  framedIpv6Address: 168,
} as const;

export const STATUS_TYPE = {
  1: "Start",
  2: "Stop",
  3: "Interim-Update",
  7: "Accounting-On",
  8: "Accounting-Off",
} as const satisfies Record<number, string>;
export type StatusType = (typeof STATUS_TYPE)[keyof typeof STATUS_TYPE];

export const VENDOR_ID = {
  microsoft: 311,
  cisco: 9,
  ciscoAsa: 3076,
  f5: 3375,
  checkpoint: 2620,
} as const;

/** RFC 2866 §5.10 Acct-Terminate-Cause names. */
export const TERMINATE_CAUSE: Record<number, string> = {
  1: "User-Request",
  2: "Lost-Carrier",
  3: "Lost-Service",
  4: "Idle-Timeout",
  5: "Session-Timeout",
  6: "Admin-Reset",
  7: "Admin-Reboot",
  8: "Port-Error",
  9: "NAS-Error",
  10: "NAS-Request",
  11: "NAS-Reboot",
  12: "Port-Unneeded",
  13: "Port-Preempted",
  14: "Port-Suspended",
  15: "Service-Unavailable",
  16: "Callback",
  17: "User-Error",
  18: "Host-Request",
};

/** Why a datagram was dropped without an answer; each is a metric label. */
export const DROP_REASONS = [
  "malformed",
  "unknown_client",
  // RadSec: the RADIUS client entry of that address is bound to another certificate than the one presented.
  "certificate_mismatch",
  "bad_authenticator",
  "bad_message_authenticator",
  "unsupported_code",
  "disabled",
  // Verified, but the sensor could not record it now (database down and spool full): a Status-Server is not answered.
  "not_recording",
  // Verified, but PostgreSQL refused the record (sensor log): not answered, as it is not recorded.
  "refused_by_database",
] as const;
export type DropReason = (typeof DROP_REASONS)[number];
