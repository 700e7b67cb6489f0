import { describe, expect, it } from "vitest";
import { PEER_HEADER, cameOverHttps, clientAddress, trustedProxyMatcher } from "./client-address.ts";

const none = trustedProxyMatcher([]);
const proxies = trustedProxyMatcher(["10.0.0.0/8", "2001:db8::1"]);

describe("the client's address", () => {
  it("is the socket peer, whatever X-Forwarded-For claims, when no proxy is trusted", () => {
    expect(clientAddress({ [PEER_HEADER]: "192.0.2.10", "x-forwarded-for": "203.0.113.99" }, none)).toBe("192.0.2.10");
    expect(clientAddress(new Headers({ [PEER_HEADER]: "::ffff:192.0.2.10", "x-forwarded-for": "1.2.3.4" }), none)).toBe(
      "192.0.2.10",
    );
  });

  it("behind trusted proxies, is the right-most hop that is not one of them", () => {
    // client → (claims 203.0.113.99) → proxy 10.0.0.5 appends the client's real address → proxy 10.0.0.6 → us
    const h = { [PEER_HEADER]: "10.0.0.6", "x-forwarded-for": "203.0.113.99, 198.51.100.7, 10.0.0.5" };
    expect(clientAddress(h, proxies)).toBe("198.51.100.7");
    expect(clientAddress({ [PEER_HEADER]: "2001:db8::1", "x-forwarded-for": "198.51.100.8" }, proxies)).toBe(
      "198.51.100.8",
    );
  });

  it("stops at a hop that is not an address (written by the client), and falls back to the nearest trusted hop", () => {
    expect(clientAddress({ [PEER_HEADER]: "10.0.0.6", "x-forwarded-for": "evil, 10.0.0.5" }, proxies)).toBe("10.0.0.5");
    expect(clientAddress({ [PEER_HEADER]: "10.0.0.6" }, proxies)).toBe("10.0.0.6");
  });

  it("is unknown without a recorded peer (a request that did not come through the portal's server)", () => {
    expect(clientAddress({ "x-forwarded-for": "203.0.113.99" }, none)).toBeNull();
    expect(clientAddress(undefined, none)).toBeNull();
  });
});

describe("cameOverHttps", () => {
  const none = trustedProxyMatcher([]);
  const proxies = trustedProxyMatcher(["10.0.0.0/8"]);

  it("believes X-Forwarded-Proto only from a trusted proxy", () => {
    expect(cameOverHttps({ [PEER_HEADER]: "192.0.2.10", "x-forwarded-proto": "https" }, none)).toBe(false);
    expect(cameOverHttps({ [PEER_HEADER]: "10.0.0.6", "x-forwarded-proto": "https" }, proxies)).toBe(true);
    expect(cameOverHttps({ [PEER_HEADER]: "10.0.0.6", "x-forwarded-proto": "http" }, proxies)).toBe(false);
    expect(cameOverHttps({ [PEER_HEADER]: "10.0.0.6" }, proxies)).toBe(false);
  });

  it("takes the value the nearest proxy added, and none without a recorded peer", () => {
    expect(cameOverHttps({ [PEER_HEADER]: "10.0.0.6", "x-forwarded-proto": "https, http" }, proxies)).toBe(false);
    expect(cameOverHttps({ [PEER_HEADER]: "10.0.0.6", "x-forwarded-proto": "http, HTTPS" }, proxies)).toBe(true);
    expect(cameOverHttps({ "x-forwarded-proto": "https" }, proxies)).toBe(false);
  });
});
