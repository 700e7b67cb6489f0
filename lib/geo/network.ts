import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { MmdbFile } from "./mmdb-file.ts";
import { isNonPublicIp } from "./locator.ts";
import { isHostingAsn } from "./hosting.ts";
import { publicIpLookup } from "./ip-lookup.ts";
import { ipValue, unmapIpv4 } from "../net/cidr.ts";

/** Who owns the network a public IP is in. */
export interface NetworkOwner {
  asn: number;
  organization: string | null;
  /** A hosting or cloud provider's network (lib/geo/hosting.ts). */
  hosting: boolean;
}

export interface NetworkLocator {
  lookup(ip: string): NetworkOwner | null;
  source: string;
}

/** Where scripts/build-network-index.mjs writes the index (npm run build, npm start, the tests' setup). */
export const NETWORK_INDEX_DIR = fileURLToPath(new URL("../../.build/network", import.meta.url));

const owner = (asn: number, organization: string | null): NetworkOwner => ({
  asn,
  organization,
  hosting: isHostingAsn(asn),
});

/** The npm dataset, as the index: binary search over sorted, non-overlapping ranges. */
function openIndex(dir: string): (ip: string) => NetworkOwner | null {
  const read = (name: string) => {
    const b = fs.readFileSync(path.join(dir, name));
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  };
  const v4 = {
    start: new Uint32Array(read("v4-start.bin")),
    end: new Uint32Array(read("v4-end.bin")),
    asn: new Uint32Array(read("v4-asn.bin")),
    org: new Uint32Array(read("v4-org.bin")),
  };
  const v6 = {
    start: new BigUint64Array(read("v6-start.bin")),
    end: new BigUint64Array(read("v6-end.bin")),
    asn: new Uint32Array(read("v6-asn.bin")),
    org: new Uint32Array(read("v6-org.bin")),
  };
  const orgs = JSON.parse(fs.readFileSync(path.join(dir, "orgs.json"), "utf8")) as string[];
  const mask = (1n << 64n) - 1n;
  return (ip) => {
    const value = ipValue(ip);
    if (!value) return null;
    if (value.family === "ipv4") {
      const n = Number(value.value);
      let lo = 0;
      let hi = v4.start.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        if (v4.start[mid]! <= n) lo = mid + 1;
        else hi = mid - 1;
      }
      return hi >= 0 && n <= v4.end[hi]! ? owner(v4.asn[hi]!, orgs[v4.org[hi]!] ?? null) : null;
    }
    const high = value.value >> 64n;
    const low = value.value & mask;
    const le = (i: number, a: BigUint64Array) => a[2 * i]! < high || (a[2 * i] === high && a[2 * i + 1]! <= low);
    const ge = (i: number, a: BigUint64Array) => a[2 * i]! > high || (a[2 * i] === high && a[2 * i + 1]! >= low);
    let lo = 0;
    let hi = v6.asn.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (le(mid, v6.start)) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && ge(hi, v6.end) ? owner(v6.asn[hi]!, orgs[v6.org[hi]!] ?? null) : null;
  };
}

/** A MaxMind GeoLite2/GeoIP2 ASN database (GEOIP_ASN_DB). */
function openMmdb(file: string): (ip: string) => NetworkOwner | null {
  const reader = new MmdbFile(file);
  return (ip) => {
    const record = reader.get(ip) as { autonomous_system_number?: number; autonomous_system_organization?: string };
    return record?.autonomous_system_number
      ? owner(record.autonomous_system_number, record.autonomous_system_organization ?? null)
      : null;
  };
}

/**
 * GEOIP_ASN_DB (a MaxMind ASN .mmdb) when set, else the RouteViews + DB-IP dataset from npm (@ip-location-db/asn), read
 * from its index. No network call; the index costs the sensor about 15 MB.
 */
export function openNetworkLocator(asnDb = process.env.GEOIP_ASN_DB, indexDir = NETWORK_INDEX_DIR): NetworkLocator {
  if (!asnDb && !fs.existsSync(path.join(indexDir, "stamp.json")))
    throw new Error(`the network-owner index is missing in ${indexDir}: run npm run build`);
  const find = asnDb ? openMmdb(asnDb) : openIndex(indexDir);
  const lookup = publicIpLookup(find, { notPublic: null, failed: null }, isNonPublicIp);
  return {
    source: asnDb ? asnDb : "RouteViews + DB-IP ASN Lite (CC BY 4.0)",
    lookup: (address) => lookup(unmapIpv4(address)),
  };
}
