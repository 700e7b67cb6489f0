// Where alert forwarding may connect (SSRF): an admin's URL or host must not reach this host's own services or the
// cloud's metadata endpoint. Checked on the address actually connected to (the resolved one), so a name that
// resolves differently later (DNS rebinding) cannot get past it.
import dns from "node:dns";
import net from "node:net";
import os from "node:os";
import { DEFAULT_RADSEC_PORT, DEFAULT_SENSOR_METRICS_PORT, readEnv } from "../config/env.ts";
import { unmapIpv4 } from "../net/cidr.ts";

const FORBIDDEN = new net.BlockList();
FORBIDDEN.addSubnet("127.0.0.0", 8, "ipv4"); // loopback
FORBIDDEN.addAddress("::1", "ipv6");
FORBIDDEN.addSubnet("169.254.0.0", 16, "ipv4"); // link-local, AWS/Azure/GCP metadata 169.254.169.254
FORBIDDEN.addSubnet("fe80::", 10, "ipv6");
FORBIDDEN.addAddress("0.0.0.0", "ipv4");
FORBIDDEN.addAddress("::", "ipv6");
FORBIDDEN.addAddress("fd00:ec2::254", "ipv6"); // AWS metadata over IPv6
FORBIDDEN.addAddress("100.100.100.200", "ipv4"); // Alibaba Cloud metadata
FORBIDDEN.addAddress("192.0.0.192", "ipv4"); // Oracle Cloud metadata

/** The product's own ports: refused on this host's addresses (a URL aimed at the portal or the database itself). */
function ownPorts(): number[] {
  const env = readEnv();
  const sensorPort = (v: string | undefined, fallback: number) => Number(v || fallback);
  return [
    env.PORT,
    env.VPNSIGHT_PG_PORT,
    env.RADIUS_ACCT_PORT,
    sensorPort(process.env.SENSOR_METRICS_PORT, DEFAULT_SENSOR_METRICS_PORT),
    sensorPort(process.env.RADSEC_PORT, DEFAULT_RADSEC_PORT),
  ];
}
const hostAddresses = () =>
  new Set(Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address.toLowerCase())));

export class ForbiddenDestinationError extends Error {
  override name = "ForbiddenDestinationError";
}

/** Why a connection to address:port is refused, or null when it is allowed. */
export function forbiddenDestination(address: string, port: number): string | null {
  if (readEnv().ALERT_FORWARDING_ALLOW_PRIVATE) return null;
  const ip = unmapIpv4(address.toLowerCase());
  const family = net.isIPv6(ip) ? "ipv6" : "ipv4";
  if (FORBIDDEN.check(ip, family)) return `${ip} is a loopback, link-local or cloud-metadata address`;
  if (hostAddresses().has(ip) && ownPorts().includes(port)) return `${ip}:${port} is this product's own service`;
  return null;
}

/**
 * A dns.lookup for sockets that refuses a name if any address it resolves to is forbidden (the check at connect
 * time). Answers in both shapes Node asks for: one address, or all of them (happy eyeballs).
 */
export function guardedLookup(port: number): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return (callback as (e: Error, a: string, f: number) => void)(err, "", 0);
      const refused = addresses.map((a) => forbiddenDestination(a.address, port)).find(Boolean);
      const error = refused
        ? new ForbiddenDestinationError(`destination refused: ${refused} (ALERT_FORWARDING_ALLOW_PRIVATE=1 allows it)`)
        : null;
      if (options.all)
        return (callback as unknown as (e: Error | null, a: dns.LookupAddress[]) => void)(
          error,
          error ? [] : addresses,
        );
      (callback as (e: Error | null, a: string, f: number) => void)(
        error,
        error ? "" : addresses[0]!.address,
        error ? 0 : addresses[0]!.family,
      );
    });
  };
}

/** An IP literal is connected to without a lookup: checked here. */
export function assertLiteralAllowed(host: string, port: number): void {
  const literal = host.replace(/^\[|\]$/g, "");
  if (!net.isIP(literal)) return;
  const why = forbiddenDestination(literal, port);
  if (why)
    throw new ForbiddenDestinationError(`destination refused: ${why} (ALERT_FORWARDING_ALLOW_PRIVATE=1 allows it)`);
}

/** A delivery error in words an admin can act on: never a response body. */
export function describeDeliveryError(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  if (err instanceof ForbiddenDestinationError) return e.message;
  const code = e.code ?? e.cause?.code ?? "";
  if (code === "ECONNREFUSED") return "connection refused";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "host not found";
  if (code === "ETIMEDOUT" || e.name === "TimeoutError" || /timeout/i.test(e.message)) return "timed out";
  if (code === "ECONNRESET") return "connection reset";
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED)/.test(code)) return `TLS error (${code})`;
  return e.message.slice(0, 200);
}
