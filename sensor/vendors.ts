import net from "node:net";
import type { VendorId } from "../lib/radius/vendors.ts";
import { unmapIpv4 } from "../lib/net/cidr.ts";
import { VENDOR_ID } from "./protocol/constants.ts";
import type { DecodedAccounting } from "./decode.ts";

/** An IPv4/IPv6 address, or null for anything else (a MAC, a phone number, a hostname). */
export function asIpAddress(value: string | null | undefined): string | null {
  const text = value?.trim();
  if (!text) return null;
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  return net.isIP(bare) ? unmapIpv4(bare.toLowerCase()) : null;
}

type IpSource = (d: DecodedAccounting) => string | null;
const callingStationId: IpSource = (d) => asIpAddress(d.callingStationId);
const tunnelClientEndpoint: IpSource = (d) => asIpAddress(d.tunnelClientEndpoint);
const ciscoSourceIp: IpSource = (d) => {
  const pair = d.ciscoAvPairs.find((p) => p.toLowerCase().startsWith("ip:source-ip="));
  return asIpAddress(pair?.slice("ip:source-ip=".length));
};

/**
 * The per-vendor rules, in one table: which Vendor-Specific ids reveal the
 * vendor, and where each vendor puts the client's public IP (first match wins).
 */
export const VENDOR_RULES: Record<VendorId, { vendorIds: number[]; publicIpSources: IpSource[] }> = {
  cisco_asa: {
    vendorIds: [VENDOR_ID.ciscoAsa, VENDOR_ID.cisco],
    publicIpSources: [callingStationId, ciscoSourceIp, tunnelClientEndpoint],
  },
  microsoft: { vendorIds: [VENDOR_ID.microsoft], publicIpSources: [callingStationId, tunnelClientEndpoint] },
  f5: { vendorIds: [VENDOR_ID.f5], publicIpSources: [tunnelClientEndpoint, callingStationId] },
  checkpoint: { vendorIds: [VENDOR_ID.checkpoint], publicIpSources: [tunnelClientEndpoint, callingStationId] },
  other: { vendorIds: [], publicIpSources: [tunnelClientEndpoint, callingStationId] },
};

/** The RADIUS client's configured vendor, else the one its Vendor-Specific attributes reveal. */
export function detectVendor(configured: VendorId | null, decoded: DecodedAccounting): VendorId {
  if (configured && configured !== "other") return configured;
  for (const [vendor, rule] of Object.entries(VENDOR_RULES) as [VendorId, (typeof VENDOR_RULES)[VendorId]][]) {
    if (rule.vendorIds.some((id) => decoded.vendorIds.includes(id))) return vendor;
  }
  return configured ?? "other";
}

export function publicIpFor(vendor: VendorId, decoded: DecodedAccounting): string | null {
  for (const source of VENDOR_RULES[vendor].publicIpSources) {
    const ip = source(decoded);
    if (ip) return ip;
  }
  return null;
}
