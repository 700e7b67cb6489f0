import { describe, expect, it } from "vitest";
import net from "node:net";
import { formatIpBlock, ipInBlock, ipValue, parseIpOrCidr, unmapIpv4 } from "./cidr.ts";

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

  it("matches every form of an address as node's BlockList does, within a family", () => {
    const blocks = ["0.0.0.0/0", "10.0.0.0/8", "10.1.2.3/32", "2001:db8::/32", "2001:db8:0:1::/64", "::/0", "::1/128"];
    const addresses = [
      "10.1.2.3",
      "10.255.0.1",
      "11.0.0.1",
      "::ffff:10.1.2.3",
      "2001:db8::1",
      "2001:DB8:0:1:0:0:0:9",
      "2001:db8:0:2::9",
      "2001:db9::",
      "::1",
      "::",
      "64:ff9b::192.0.2.1",
      "fe80::1:2:3:4",
    ];
    for (const text of blocks) {
      const block = parseIpOrCidr(text)!;
      const list = new net.BlockList();
      list.addSubnet(block.address, block.prefix, block.family);
      for (const address of addresses) {
        const plain = unmapIpv4(address);
        // BlockList also finds IPv4 inside an IPv6 block (as ::ffff:a.b.c.d); we keep the families apart.
        if ((net.isIPv4(plain) ? "ipv4" : "ipv6") !== block.family) continue;
        const expected = list.check(plain, net.isIPv4(plain) ? "ipv4" : "ipv6");
        expect(ipInBlock(address, block), `${address} in ${text}`).toBe(expected);
      }
    }
    expect(ipInBlock("10.1.2.3", parseIpOrCidr("::/0")!)).toBe(false);
    expect(ipValue("not an address")).toBeNull();
    expect(ipValue("::ffff:192.0.2.1")).toEqual({ family: "ipv4", value: 0xc0000201n });
  });
});
