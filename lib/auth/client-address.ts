import net from "node:net";
import { readEnv } from "../config/env.ts";
import { ipBlockMatcher, parseIpOrCidr, unmapIpv4 } from "../net/cidr.ts";

/** Set by scripts/portal-server.mjs to the request's socket peer, overwriting any value a client sent. */
export const PEER_HEADER = "x-vpnsight-peer";

type HeaderSource = Headers | Record<string, unknown> | undefined;
const headerOf = (headers: HeaderSource, name: string): string | null => {
  if (!headers) return null;
  if (headers instanceof Headers) return headers.get(name);
  const v = headers[name];
  return typeof v === "string" ? v : Array.isArray(v) ? v.join(",") : null;
};

/** TRUSTED_PROXIES: comma-separated IPs or CIDRs (validated at start, lib/config/env.ts). */
export function trustedProxyMatcher(list: string[]): (ip: string) => boolean {
  const matchers = list.map((cidr) => ipBlockMatcher(parseIpOrCidr(cidr)!));
  return (ip) => matchers.some((m) => m(ip));
}

let cached: { text: string; trusted: (ip: string) => boolean } | null = null;
function trustedFromEnv(): (ip: string) => boolean {
  const list = readEnv().TRUSTED_PROXIES;
  const text = list.join(",");
  if (cached?.text !== text) cached = { text, trusted: trustedProxyMatcher(list) };
  return cached.trusted;
}

/**
 * The client's address, the one rule used by the sign-in throttle, the audit log and the API door: the socket peer;
 * or, when the peer is a trusted proxy, the right-most address in X-Forwarded-For that is not a trusted proxy
 * (every hop left of it could have been written by the client). Null when the request did not come through our
 * server (no peer recorded).
 */
export function clientAddress(
  headers: HeaderSource,
  trusted: (ip: string) => boolean = trustedFromEnv(),
): string | null {
  const peer = unmapIpv4(headerOf(headers, PEER_HEADER)?.trim() ?? "");
  if (!net.isIP(peer)) return null;
  if (!trusted(peer)) return peer;
  let nearest = peer;
  const hops = (headerOf(headers, "x-forwarded-for") ?? "").split(",").map((h) => unmapIpv4(h.trim()));
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    // Not an address: written by the client, not by a proxy we trust. The nearest trusted hop is all we know.
    if (!net.isIP(hop)) return nearest;
    if (!trusted(hop)) return hop;
    nearest = hop;
  }
  return nearest;
}

/**
 * Whether the browser reached us over HTTPS. The portal itself serves plain HTTP, so only a TLS-terminating proxy
 * can say so, and it is believed only when it is a trusted proxy (TRUSTED_PROXIES): the right-most
 * X-Forwarded-Proto, the one the nearest proxy added. Decides Secure cookies and HSTS.
 */
export function cameOverHttps(headers: HeaderSource, trusted: (ip: string) => boolean = trustedFromEnv()): boolean {
  const peer = unmapIpv4(headerOf(headers, PEER_HEADER)?.trim() ?? "");
  if (!net.isIP(peer) || !trusted(peer)) return false;
  const proto = (headerOf(headers, "x-forwarded-proto") ?? "").split(",").at(-1)?.trim().toLowerCase();
  return proto === "https";
}
