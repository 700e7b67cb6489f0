// A normalized accounting record: what the sensor makes of a packet, what the spool keeps and what the store writes.
import type { GeoLocation } from "../geo/locator.ts";
import type { NetworkOwner } from "../geo/network.ts";
import type { VendorId } from "../radius/vendors.ts";

/** A normalized accounting record: what the store writes. Serializable (the spool keeps it as JSON). */
export interface SessionEvent {
  kind: "start" | "interim" | "stop";
  sessionKey: string;
  identity: string;
  userName: string;
  vendor: VendorId;
  nasKey: string;
  nasIp: string | null;
  nasIdentifier: string | null;
  sourceIp: string;
  acctSessionId: string;
  publicIp: string | null;
  assignedIp: string | null;
  location: GeoLocation | null;
  /** The public IP's network owner; absent in records spooled before it existed. */
  network?: NetworkOwner | null;
  clientName: string | null;
  /** ISO 8601 */
  eventTime: string;
  receivedAt: string;
  sessionTime: number | null;
  /** decimal strings (64-bit with Gigawords) */
  inputBytes: string;
  outputBytes: string;
  terminateCause: string | null;
  interimInterval: number | null;
}

/** Accounting-On/Off: the NAS restarted, every open session of it has ended. */
export interface NasEvent {
  kind: "nas-on" | "nas-off";
  nasKey: string;
  eventTime: string;
  terminateCause: string;
}

export type AccountingRecord = SessionEvent | NasEvent;

export const isNasEvent = (r: AccountingRecord): r is NasEvent => r.kind === "nas-on" || r.kind === "nas-off";
