import type { SessionEvent } from "../sessions/accounting-record.ts";

/**
 * A normalized accounting record for tests and benchmarks: a Start of `identity` with no
 * location, counters or optional fields, unless given. Pass only what the test is about.
 */
export function sessionEvent(
  fields: Pick<SessionEvent, "sessionKey" | "identity"> & Partial<SessionEvent>,
): SessionEvent {
  const kind = fields.kind ?? "start";
  const time = fields.eventTime ?? new Date().toISOString();
  return {
    kind,
    userName: fields.identity,
    vendor: "cisco_asa",
    nasKey: "10.0.0.1",
    nasIp: "10.0.0.1",
    nasIdentifier: null,
    sourceIp: "127.0.0.1",
    acctSessionId: fields.sessionKey,
    publicIp: null,
    assignedIp: null,
    location: null,
    clientName: null,
    eventTime: time,
    receivedAt: time,
    sessionTime: null,
    inputBytes: "0",
    outputBytes: "0",
    terminateCause: null,
    interimInterval: null,
    ...fields,
  };
}
