import path from "node:path";
import { fileURLToPath } from "node:url";
import radius from "radius";
import { ATTR, STATUS_TYPE, TERMINATE_CAUSE, type StatusType } from "./protocol/constants.ts";
import type { RawAttribute } from "./protocol/verify.ts";

radius.add_dictionary(path.join(path.dirname(fileURLToPath(import.meta.url)), "dictionaries"));
// Untyped in @types/radius: the name of a top-level attribute in the loaded dictionaries.
const dictionary = radius as unknown as { attr_id_to_name(id: number): string | undefined };

/** The accounting attributes the sensor uses, decoded; the rest stays raw. */
export interface DecodedAccounting {
  statusType: StatusType | null;
  statusTypeCode: number | null;
  userName: string | null;
  nasIpAddress: string | null;
  nasIdentifier: string | null;
  acctSessionId: string | null;
  callingStationId: string | null;
  tunnelClientEndpoint: string | null;
  framedIpAddress: string | null;
  framedIpv6Address: string | null;
  eventTimestamp: Date | null;
  acctDelayTime: number;
  sessionTime: number | null;
  inputOctets: bigint;
  outputOctets: bigint;
  terminateCause: string | null;
  interimInterval: number | null;
  ciscoAvPairs: string[];
  clientName: string | null;
  /** Vendor ids of the Vendor-Specific attributes present. */
  vendorIds: number[];
  /** Attributes no dictionary knows, as type + hex. */
  unknown: { type: number; hex: string }[];
}

const KNOWN_TOP_LEVEL = new Set<number>(Object.values(ATTR));

type Decoded = Record<string, unknown> & { "Vendor-Specific"?: Record<string, unknown> };

function first(value: unknown): unknown {
  return Array.isArray(value) && !(value.length === 2 && typeof value[0] === "number") ? value[0] : value;
}
// Trailing NULs are C-string padding some NAS send. An embedded NUL cannot be stored as text
// (PostgreSQL refuses it, and with it the whole batch): it becomes U+FFFD, like bytes that are not UTF-8.
const asString = (v: unknown) =>
  typeof v !== "string" ? null : v.includes("\0") ? v.replace(/\0+$/, "").replaceAll("\0", "\uFFFD") : v;
const asNumber = (v: unknown) => (typeof v === "number" ? v : null);
/** Tagged attributes (RFC 2868) decode as [tag, value]. */
const untag = (v: unknown) => (Array.isArray(v) && v.length === 2 && typeof v[0] === "number" ? v[1] : v);

function rawUint32(attributes: RawAttribute[], type: number): number | null {
  const a = attributes.find((x) => x.type === type && x.value.length === 4);
  return a ? a.value.readUInt32BE(0) : null;
}

function ipv6(value: Buffer | undefined): string | null {
  // Framed-IPv6-Address is 16 octets (RFC 6911); NAS-IPv6-Address too (RFC 3162).
  if (!value || value.length !== 16) return null;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(value.readUInt16BE(i).toString(16));
  return groups
    .join(":")
    .replace(/(^|:)0(:0)+(:|$)/, "::")
    .replace(/:{3,}/, "::");
}

const decodePackage = (packet: Buffer) => radius.decode_without_secret({ packet }).attributes as Decoded;

/** Whether the package can read this attribute on its own (in an otherwise empty packet). */
function decodesAlone(packet: Buffer, attribute: RawAttribute): boolean {
  const start = attribute.offset - 2;
  const alone = Buffer.concat([
    packet.subarray(0, 20),
    packet.subarray(start, attribute.offset + attribute.value.length),
  ]);
  alone.writeUInt16BE(alone.length, 2);
  try {
    decodePackage(alone);
    return true;
  } catch {
    return false;
  }
}

/**
 * An authentic packet may still hold an attribute the package cannot read (an integer or address of the
 * wrong length, a malformed Vendor-Specific), and its decoder then throws for the whole packet. Those
 * attributes are set to type 255, which no dictionary knows, so they are skipped; the rest is decoded.
 */
function decodeWithPackage(packet: Buffer, attributes: RawAttribute[]): Decoded {
  try {
    return decodePackage(packet);
  } catch {
    const copy = Buffer.from(packet);
    for (const attribute of attributes) if (!decodesAlone(packet, attribute)) copy[attribute.offset - 2] = 255;
    return decodePackage(copy);
  }
}

/** Decodes a verified Accounting-Request (structure already checked by verify). */
export function decodeAccountingRequest(packet: Buffer, attributes: RawAttribute[]): DecodedAccounting {
  const a = decodeWithPackage(packet, attributes);
  const vsa = a["Vendor-Specific"] ?? {};
  const statusTypeCode = rawUint32(attributes, ATTR.acctStatusType);
  const gigawords = (type: number) => BigInt(rawUint32(attributes, type) ?? 0) << 32n;
  const octets = (type: number) => BigInt(rawUint32(attributes, type) ?? 0);
  const causeCode = rawUint32(attributes, ATTR.acctTerminateCause);
  const avPairs = vsa["Cisco-AVPair"];
  const eventSeconds = rawUint32(attributes, ATTR.eventTimestamp);
  return {
    statusTypeCode,
    statusType:
      statusTypeCode !== null && statusTypeCode in STATUS_TYPE
        ? STATUS_TYPE[statusTypeCode as keyof typeof STATUS_TYPE]
        : null,
    userName: asString(first(a["User-Name"])),
    nasIpAddress:
      asString(first(a["NAS-IP-Address"])) ?? ipv6(attributes.find((x) => x.type === ATTR.nasIpv6Address)?.value),
    nasIdentifier: asString(first(a["NAS-Identifier"])),
    acctSessionId: asString(first(a["Acct-Session-Id"])),
    callingStationId: asString(first(a["Calling-Station-Id"])),
    tunnelClientEndpoint: asString(untag(first(a["Tunnel-Client-Endpoint"]))),
    framedIpAddress: asString(first(a["Framed-IP-Address"])),
    framedIpv6Address: ipv6(attributes.find((x) => x.type === ATTR.framedIpv6Address)?.value),
    eventTimestamp: eventSeconds !== null ? new Date(eventSeconds * 1000) : null,
    acctDelayTime: rawUint32(attributes, ATTR.acctDelayTime) ?? 0,
    sessionTime: rawUint32(attributes, ATTR.acctSessionTime),
    inputOctets: gigawords(ATTR.acctInputGigawords) + octets(ATTR.acctInputOctets),
    outputOctets: gigawords(ATTR.acctOutputGigawords) + octets(ATTR.acctOutputOctets),
    terminateCause: causeCode === null ? null : (TERMINATE_CAUSE[causeCode] ?? String(causeCode)),
    interimInterval: asNumber(first(a["Acct-Interim-Interval"])),
    ciscoAvPairs: (Array.isArray(avPairs) ? avPairs : avPairs === undefined ? [] : [avPairs]).filter(
      (v): v is string => typeof v === "string",
    ),
    clientName: asString(first(vsa["MS-RAS-Client-Name"])),
    vendorIds: attributes
      .filter((x) => x.type === ATTR.vendorSpecific && x.value.length >= 4)
      .map((x) => x.value.readUInt32BE(0)),
    unknown: attributes
      .filter((x) => !KNOWN_TOP_LEVEL.has(x.type) && !dictionary.attr_id_to_name(x.type))
      .map((x) => ({ type: x.type, hex: x.value.toString("hex") })),
  };
}
