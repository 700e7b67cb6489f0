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

/** A test for "is this address inside `block`", built once (it runs for every packet). */
export function ipBlockMatcher(block: IpBlock): (ip: string) => boolean {
  const list = new net.BlockList();
  list.addSubnet(block.address, block.prefix, block.family);
  return (ip) => {
    const address = unmapIpv4(ip);
    return list.check(address, net.isIPv4(address) ? "ipv4" : "ipv6");
  };
}

/** True when `ip` lies inside `block`. */
export const ipInBlock = (ip: string, block: IpBlock): boolean => ipBlockMatcher(block)(ip);
