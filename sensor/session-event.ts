import { hash } from "node:crypto";
import type { GeoLocation } from "../lib/geo/locator.ts";
import type { NetworkOwner } from "../lib/geo/network.ts";
import type { IdentityMappings } from "../lib/identities/resolve-identity.ts";
import { resolveIdentity } from "../lib/identities/resolve-identity.ts";
import type { VendorId } from "../lib/radius/vendors.ts";
import type { AccountingRecord } from "../lib/sessions/accounting-record.ts";
import type { DecodedAccounting } from "./decode.ts";
import { asIpAddress, detectVendor, publicIpFor } from "./vendors.ts";

export type NormalizeResult = { record: AccountingRecord } | { ignored: string };

const sha256 = (...parts: string[]) => hash("sha256", parts.join("\u0000"), "hex");

export interface NormalizeContext {
  sourceIp: string;
  /** The configured RADIUS client the request came from (null: none matched, only global secrets). */
  clientId: string | null;
  receivedAt: Date;
  configuredVendor: VendorId | null;
  mappings: IdentityMappings;
  geolocate: (ip: string) => GeoLocation;
  /** The owner of a public IP's network (lib/geo/network.ts). */
  networkOf: (ip: string) => NetworkOwner | null;
}

/** Clock skew tolerated between a NAS and the sensor. */
const CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Event time = Event-Timestamp when present, else receive time − Acct-Delay-Time. An Event-Timestamp
 * after the packet's arrival (beyond clock skew) comes from a NAS clock that is wrong: it is not used —
 * such a session would stay the identity's "last connection" until that date.
 */
export function eventTimeOf(d: DecodedAccounting, receivedAt: Date): Date {
  if (d.eventTimestamp && d.eventTimestamp.getTime() <= receivedAt.getTime() + CLOCK_SKEW_MS) return d.eventTimestamp;
  return new Date(receivedAt.getTime() - d.acctDelayTime * 1000);
}

const KINDS = { Start: "start", "Interim-Update": "interim", Stop: "stop" } as const;

// What the store's columns hold (PostgreSQL refuses a batch with a value out of range): durations in a
// signed 32-bit int — over 68 years is no real session, so unknown — and byte counts in a signed 64-bit bigint.
const INT_MAX = 2 ** 31 - 1;
const BIGINT_MAX = 2n ** 63n - 1n;
const storableSeconds = (v: number | null) => (v !== null && v <= INT_MAX ? v : null);
const storableBytes = (v: bigint) => (v > BIGINT_MAX ? BIGINT_MAX : v).toString();

/**
 * Whose sessions a record may touch: the RADIUS client it came from (with only global secrets, its source address),
 * then the NAS it names within that. NAS-IP-Address and NAS-Identifier are labels any holder of a secret may write,
 * so they never reach another client's sessions: one client cannot close (Accounting-Off) or file sessions under
 * another's NAS. Behind a proxy (one client), the NAS named still tells its NASes apart.
 */
export function nasKeyOf(
  d: Pick<DecodedAccounting, "nasIpAddress" | "nasIdentifier">,
  ctx: Pick<NormalizeContext, "clientId" | "sourceIp">,
): string {
  const origin = ctx.clientId ? `client:${ctx.clientId}` : `source:${ctx.sourceIp}`;
  return `${origin}|${d.nasIpAddress ?? d.nasIdentifier ?? ""}`;
}

export function normalizeAccounting(d: DecodedAccounting, ctx: NormalizeContext): NormalizeResult {
  const nasKey = nasKeyOf(d, ctx);
  const eventTime = eventTimeOf(d, ctx.receivedAt);
  if (d.statusType === "Accounting-On" || d.statusType === "Accounting-Off") {
    return {
      record: {
        kind: d.statusType === "Accounting-On" ? "nas-on" : "nas-off",
        nasKey,
        eventTime: eventTime.toISOString(),
        terminateCause: d.terminateCause ?? "NAS-Reboot",
      },
    };
  }
  if (!d.statusType) return { ignored: `status-type-${d.statusTypeCode ?? "missing"}` };
  const kind = KINDS[d.statusType];
  const userName = d.userName ?? "";
  const acctSessionId = d.acctSessionId ?? "";
  const vendor = detectVendor(ctx.configuredVendor, d);
  const publicIp = publicIpFor(vendor, d);
  const sessionKey = sha256(nasKey, acctSessionId, userName);
  const inputBytes = storableBytes(d.inputOctets);
  const outputBytes = storableBytes(d.outputOctets);
  return {
    record: {
      kind,
      sessionKey,
      identity: resolveIdentity(d.userName, ctx.mappings),
      userName,
      vendor,
      nasKey,
      nasIp: d.nasIpAddress,
      nasIdentifier: d.nasIdentifier,
      sourceIp: ctx.sourceIp,
      acctSessionId,
      publicIp,
      assignedIp: asIpAddress(d.framedIpAddress) ?? d.framedIpv6Address,
      location: publicIp ? ctx.geolocate(publicIp) : null,
      network: publicIp ? ctx.networkOf(publicIp) : null,
      clientName: d.clientName,
      eventTime: eventTime.toISOString(),
      receivedAt: ctx.receivedAt.toISOString(),
      sessionTime: storableSeconds(d.sessionTime),
      inputBytes,
      outputBytes,
      terminateCause: d.terminateCause,
      interimInterval: storableSeconds(d.interimInterval),
    },
  };
}
