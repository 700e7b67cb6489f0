import net from "node:net";

export interface IpBlock {
  address: string;
  prefix: number;
  family: "ipv4" | "ipv6";
}

/** Parses "192.0.2.7", "10.0.0.0/8" or "2001:db8::/32"; returns null when it is neither an IP nor a CIDR. */
export function parseIpOrCidr(text: string): IpBlock | null {
  const [address = "", prefixText, extra] = text.trim().split("/");
  if (extra !== undefined) return null;
  const version = net.isIP(address);
  if (!version) return null;
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return null;
  return { address: address.toLowerCase(), prefix, family: version === 4 ? "ipv4" : "ipv6" };
}

export const formatIpBlock = (b: IpBlock) =>
  b.prefix === (b.family === "ipv4" ? 32 : 128) ? b.address : `${b.address}/${b.prefix}`;

/** A source address seen on a dual-stack socket, with IPv4-mapped IPv6 turned back into IPv4. */
export function unmapIpv4(address: string): string {
  return address.startsWith("::ffff:") && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** An address as a number, to test against blocks in plain arithmetic (net.BlockList costs microseconds a call). */
export interface IpValue {
  family: "ipv4" | "ipv6";
  value: bigint;
}

function ipv4Value(address: string): bigint {
  return address.split(".").reduce((n, part) => (n << 8n) | BigInt(Number(part)), 0n);
}

/** The value of an address (IPv4-mapped IPv6 as its IPv4), or null when it is not one. */
export function ipValue(ip: string): IpValue | null {
  const address = unmapIpv4(ip.toLowerCase());
  const version = net.isIP(address);
  if (version === 4) return { family: "ipv4", value: ipv4Value(address) };
  if (version !== 6) return null;
  // A trailing dotted quad (::ffff:192.0.2.1 in another form, 64:ff9b::192.0.2.1) is two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  const hex = dotted
    ? address.slice(0, -dotted[1]!.length) +
      ((v) => `${(v >> 16n).toString(16)}:${(v & 0xffffn).toString(16)}`)(ipv4Value(dotted[1]!))
    : address;
  const [head = "", tail] = hex.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return { family: "ipv6", value: groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n) };
}

/** A test of an address's value against `block`, built once. */
export function ipBlockTest(block: IpBlock): (ip: IpValue | null) => boolean {
  const bits = block.family === "ipv4" ? 32n : 128n;
  const shift = bits - BigInt(block.prefix);
  const network = ipValue(block.address)!.value >> shift;
  return (ip) => ip !== null && ip.family === block.family && ip.value >> shift === network;
}

/** A test for "is this address inside `block`", built once (it runs for every packet). */
export function ipBlockMatcher(block: IpBlock): (ip: string) => boolean {
  const test = ipBlockTest(block);
  return (ip) => test(ipValue(ip));
}

/** Of the items whose block covers `ip`, the most specific (longest prefix); null when none does. */
export function mostSpecific<T extends { block: IpBlock; contains: (ip: string) => boolean }>(
  items: readonly T[],
  ip: string,
): T | null {
  let best: T | null = null;
  for (const item of items) if (item.contains(ip) && (!best || item.block.prefix > best.block.prefix)) best = item;
  return best;
}

/** Which of these RADIUS clients (by address) a source is, as the sensor decides it: the most specific block. */
export function coveringClient<T extends { address: string }>(clients: readonly T[]): (ip: string) => T | null {
  const blocks = clients.flatMap((client) => {
    const block = parseIpOrCidr(client.address);
    return block ? [{ client, block, contains: ipBlockMatcher(block) }] : [];
  });
  return (ip) => mostSpecific(blocks, ip)?.client ?? null;
}

/** True when `ip` lies inside `block`. */
export const ipInBlock = (ip: string, block: IpBlock): boolean => ipBlockMatcher(block)(ip);
