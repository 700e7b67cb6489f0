import { describe, expect, it } from "vitest";
import { isNonPublicIp, openGeoLocator, recordToLocation } from "./locator.ts";

describe("geolocation (offline)", () => {
  const geo = openGeoLocator(undefined);

  it("never looks up private, loopback or reserved addresses", () => {
    for (const ip of [
      "10.1.2.3",
      "192.168.0.1",
      "172.20.0.1",
      "127.0.0.1",
      "100.64.1.1",
      "169.254.1.1",
      "::1",
      "fd00::1",
      "fe80::1",
      "2001:db8::1",
    ]) {
      expect(isNonPublicIp(ip), ip).toBe(true);
      expect(geo.lookup(ip).kind, ip).toBe("private");
    }
    expect(isNonPublicIp("8.8.8.8")).toBe(false);
  });

  it("locates public IPv4 and IPv6 addresses from the bundled DB-IP Lite database", () => {
    const google = geo.lookup("8.8.8.8");
    expect(google).toMatchObject({ kind: "geo", countryCode: "US", country: "United States" });
    expect(typeof google.latitude).toBe("number");
    const v6 = geo.lookup("2a00:1450:4001:80b::200e");
    expect(v6.kind).toBe("geo");
    expect(v6.countryCode).toMatch(/^[A-Z]{2}$/);
  });

  it("reads both DB-IP flat records and MaxMind nested records", () => {
    expect(
      recordToLocation({
        country_code: "FR",
        state1: "Île-de-France",
        city: "Paris",
        latitude: 48.85,
        longitude: 2.35,
      }),
    ).toEqual({
      kind: "geo",
      countryCode: "FR",
      country: "France",
      region: "Île-de-France",
      city: "Paris",
      latitude: 48.85,
      longitude: 2.35,
    });
    expect(
      recordToLocation({
        country: { iso_code: "DE", names: { en: "Germany" } },
        subdivisions: [{ names: { en: "Bavaria" } }],
        city: { names: { en: "Munich" } },
        location: { latitude: 48.1, longitude: 11.6 },
      }),
    ).toEqual({
      kind: "geo",
      countryCode: "DE",
      country: "Germany",
      region: "Bavaria",
      city: "Munich",
      latitude: 48.1,
      longitude: 11.6,
    });
    expect(recordToLocation(null).kind).toBe("unknown");
  });
});
