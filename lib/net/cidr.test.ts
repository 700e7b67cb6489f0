import { describe, expect, it } from "vitest";
import { formatIpBlock, ipInBlock, parseIpOrCidr, unmapIpv4 } from "./cidr.ts";

describe("IP / CIDR", () => {
  it("parses addresses and blocks, and rejects everything else", () => {
    expect(parseIpOrCidr("192.0.2.7")).toEqual({ address: "192.0.2.7", prefix: 32, family: "ipv4" });
    expect(parseIpOrCidr("10.0.0.0/8")).toEqual({ address: "10.0.0.0", prefix: 8, family: "ipv4" });
    expect(parseIpOrCidr("2001:DB8::/32")).toEqual({ address: "2001:db8::", prefix: 32, family: "ipv6" });
    for (const bad of [
      "",
      "10.0.0.0/33",
      "10.0.0/8",
      "host.example",
      "10.0.0.1/8/1",
      "::1/129",
      "10.0.0.1/-1",
      "10.0.0.1/ 8",
    ]) {
      expect(parseIpOrCidr(bad), bad).toBeNull();
    }
  });

  it("formats single hosts without a prefix", () => {
    expect(formatIpBlock(parseIpOrCidr("192.0.2.7/32")!)).toBe("192.0.2.7");
    expect(formatIpBlock(parseIpOrCidr("10.0.0.0/24")!)).toBe("10.0.0.0/24");
  });

  it("matches sources, including IPv4-mapped IPv6 from a dual-stack socket", () => {
    const block = parseIpOrCidr("10.1.0.0/16")!;
    expect(ipInBlock("10.1.200.3", block)).toBe(true);
    expect(ipInBlock("::ffff:10.1.200.3", block)).toBe(true);
    expect(ipInBlock("10.2.0.1", block)).toBe(false);
    expect(ipInBlock("2001:db8::1", parseIpOrCidr("2001:db8::/32")!)).toBe(true);
    expect(unmapIpv4("::ffff:192.0.2.1")).toBe("192.0.2.1");
  });
});
