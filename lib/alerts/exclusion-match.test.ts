import { describe, expect, it } from "vitest";
import { compileExclusions, describeExclusion, type ExclusionRule } from "./exclusion-match.ts";

const rule = (fields: Partial<ExclusionRule>): ExclusionRule => ({
  id: fields.id ?? "x",
  rule: null,
  identity: null,
  ipBlock: null,
  countryCode: null,
  nas: null,
  reason: "test",
  expiresAt: null,
  ...fields,
});
const facts = {
  rule: "impossible-travel",
  identity: "bob@contoso.com",
  publicIp: "2001:db8:5::7",
  countryCode: "GB",
  nas: ["10.0.0.1", "VPN-GW-1", "192.0.2.10"],
};

describe("compileExclusions", () => {
  it("matches when every field given matches, for its rule or every rule", () => {
    const at = new Date("2026-11-30T00:00:00Z");
    const match = (e: Partial<ExclusionRule>) => compileExclusions([rule(e)])(facts, at)?.id ?? null;
    expect(match({ ipBlock: "2001:db8::/32" })).toBe("x");
    expect(match({ ipBlock: "2001:db9::/32" })).toBeNull();
    expect(match({ ipBlock: "203.0.113.0/24" })).toBeNull();
    expect(match({ rule: "impossible-travel", countryCode: "GB" })).toBe("x");
    expect(match({ rule: "concurrent-countries", countryCode: "GB" })).toBeNull();
    expect(match({ identity: "bob@contoso.com", countryCode: "FR" })).toBeNull();
    // A NAS by any of its names, in any case.
    expect(match({ nas: "vpn-gw-1" })).toBe("x");
    expect(match({ nas: "192.0.2.10" })).toBe("x");
    expect(match({ nas: "10.0.0.2" })).toBeNull();
    // Expired at the moment of judging: no longer applies.
    expect(match({ countryCode: "GB", expiresAt: new Date("2026-11-29T00:00:00Z") })).toBeNull();
    expect(match({ countryCode: "GB", expiresAt: new Date("2026-12-01T00:00:00Z") })).toBe("x");
    // No public IP: an IP exclusion cannot cover it.
    expect(compileExclusions([rule({ ipBlock: "0.0.0.0/0" })])({ ...facts, publicIp: null })).toBeNull();
  });

  it("answers with the first exclusion that covers the finding, and describes one in words", () => {
    const list = [rule({ id: "a", countryCode: "FR" }), rule({ id: "b", identity: "bob@contoso.com" })];
    expect(compileExclusions(list)(facts)?.id).toBe("b");
    expect(
      describeExclusion(rule({ rule: "impossible-travel", ipBlock: "203.0.113.0/24", nas: "gw" }), (r) =>
        r.toUpperCase(),
      ),
    ).toBe("rule IMPOSSIBLE-TRAVEL · IP 203.0.113.0/24 · NAS gw");
    expect(describeExclusion(rule({ countryCode: "RU" }), (r) => r)).toBe("every rule · country RU");
  });
});
