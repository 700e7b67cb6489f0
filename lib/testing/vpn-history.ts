import type { SessionEvent } from "../sessions/accounting-record.ts";
import type { GeoLocation } from "../geo/locator.ts";
import { sessionEvent } from "./session-event.ts";

// One identity's VPN history for detection tests: a regular place for weeks, then two new ones.

export const DAY = 86_400_000;
export const LONDON: GeoLocation = {
  kind: "geo",
  countryCode: "GB",
  country: "United Kingdom",
  region: null,
  city: "London",
  latitude: 51.5,
  longitude: -0.12,
};
export const AMSTERDAM: GeoLocation = {
  kind: "geo",
  countryCode: "NL",
  country: "Netherlands",
  region: null,
  city: "Amsterdam",
  latitude: 52.37,
  longitude: 4.9,
};
export const TOKYO: GeoLocation = {
  kind: "geo",
  countryCode: "JP",
  country: "Japan",
  region: null,
  city: "Tokyo",
  latitude: 35.68,
  longitude: 139.69,
};

export const start = (identity: string, id: string, at: number, ip: string, location: GeoLocation): SessionEvent =>
  sessionEvent({
    sessionKey: `${identity}|${id}`,
    identity,
    acctSessionId: id,
    publicIp: ip,
    location,
    eventTime: new Date(at).toISOString(),
  });
export const stop = (s: SessionEvent, at: number): SessionEvent => ({
  ...s,
  kind: "stop",
  eventTime: new Date(at).toISOString(),
  sessionTime: Math.round((at - Date.parse(s.eventTime)) / 1000),
  terminateCause: "User-Request",
});

/** 34 days of London for `identity` (12 sessions), then Amsterdam (new country) and Tokyo 30 minutes later: 14 sessions. */
export function history(identity: string, now = Date.now()): SessionEvent[] {
  const records: SessionEvent[] = [];
  for (let day = 35; day >= 2; day -= 3) {
    const s = start(identity, `H-${day}`, now - day * DAY, "81.2.69.142", LONDON);
    records.push(s, stop(s, now - day * DAY + 3_600_000));
  }
  records.push(
    start(identity, "NEW-NL", now - 3_600_000, "91.198.174.192", AMSTERDAM),
    start(identity, "NEW-JP", now - 1_800_000, "133.11.0.1", TOKYO),
  );
  return records;
}
