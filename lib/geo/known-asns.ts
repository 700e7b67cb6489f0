import fs from "node:fs";
import path from "node:path";

// Which autonomous systems the network-owner data names (the activity filters refuse an ASN nobody knows). Its own
// module, without lib/geo/network.ts: the portal needs only this, and its bundler must not follow the sensor's
// readers and their data files. The portal runs from the project's root, where the index is built (.build/network).

let known: Set<number> | null = null;

/** True when the npm dataset names this ASN; with GEOIP_ASN_DB, or without the index, every number is taken as known. */
export function isKnownAsn(asn: number, indexDir = path.join(process.cwd(), ".build", "network")): boolean {
  if (process.env.GEOIP_ASN_DB) return true;
  if (!known) {
    try {
      const read = (name: string) => {
        const b = fs.readFileSync(path.join(indexDir, name));
        return new Uint32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      };
      known = new Set([...read("v4-asn.bin"), ...read("v6-asn.bin")]);
    } catch {
      return true;
    }
  }
  return known.has(asn);
}
