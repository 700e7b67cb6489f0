// Turns the network-owner dataset installed with npm (@ip-location-db/asn: RouteViews + NRO + DB-IP, CC BY 4.0) into a
// compact index the sensor loads in milliseconds (.build/network): sorted ranges in typed arrays, owner names once.
// Parsing the 60 MB of CSV takes about 2 s and far more memory than the index, so it happens here, once per dataset
// version (npm run build, npm start and the tests' setup run it), never in the sensor.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const NETWORK_INDEX_DIR = path.join(root, ".build", "network");
const require = createRequire(import.meta.url);

/** One CSV line: start,end,asn,"organization" (the organization may be quoted, with "" inside). */
function parseLine(line) {
  const c1 = line.indexOf(",");
  const c2 = line.indexOf(",", c1 + 1);
  const c3 = line.indexOf(",", c2 + 1);
  let org = line.slice(c3 + 1);
  if (org.startsWith('"')) org = org.slice(1, -1).replace(/""/g, '"');
  return { start: line.slice(0, c1), end: line.slice(c1 + 1, c2), asn: Number(line.slice(c2 + 1, c3)), org };
}

async function readRanges(file, onRow) {
  const lines = readline.createInterface({ input: fs.createReadStream(file, "utf8"), crlfDelay: Infinity });
  for await (const line of lines) if (line) onRow(parseLine(line));
}

export async function buildNetworkIndex() {
  const pkgDir = path.dirname(require.resolve("@ip-location-db/asn/package.json"));
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")).version;
  const stampFile = path.join(NETWORK_INDEX_DIR, "stamp.json");
  try {
    if (JSON.parse(fs.readFileSync(stampFile, "utf8")).version === version) return NETWORK_INDEX_DIR;
  } catch {
    // not built yet
  }
  const orgs = [];
  const orgIndex = new Map();
  const orgOf = (name) => {
    let i = orgIndex.get(name);
    if (i === undefined) {
      i = orgs.length;
      orgs.push(name);
      orgIndex.set(name, i);
    }
    return i;
  };
  // IPv4: start, end, asn, owner as four Uint32 columns.
  const v4 = { start: [], end: [], asn: [], org: [] };
  await readRanges(path.join(pkgDir, "asn-ipv4-num.csv"), (r) => {
    v4.start.push(Number(r.start));
    v4.end.push(Number(r.end));
    v4.asn.push(r.asn);
    v4.org.push(orgOf(r.org));
  });
  // IPv6: 128-bit start and end as high and low 64-bit halves.
  const v6 = { start: [], end: [], asn: [], org: [] };
  const mask = (1n << 64n) - 1n;
  await readRanges(path.join(pkgDir, "asn-ipv6-num.csv"), (r) => {
    const start = BigInt(r.start);
    const end = BigInt(r.end);
    v6.start.push(start >> 64n, start & mask);
    v6.end.push(end >> 64n, end & mask);
    v6.asn.push(r.asn);
    v6.org.push(orgOf(r.org));
  });
  const tmp = `${NETWORK_INDEX_DIR}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const write = (name, array) => fs.writeFileSync(path.join(tmp, name), Buffer.from(array.buffer));
  write("v4-start.bin", Uint32Array.from(v4.start));
  write("v4-end.bin", Uint32Array.from(v4.end));
  write("v4-asn.bin", Uint32Array.from(v4.asn));
  write("v4-org.bin", Uint32Array.from(v4.org));
  write("v6-start.bin", BigUint64Array.from(v6.start));
  write("v6-end.bin", BigUint64Array.from(v6.end));
  write("v6-asn.bin", Uint32Array.from(v6.asn));
  write("v6-org.bin", Uint32Array.from(v6.org));
  fs.writeFileSync(path.join(tmp, "orgs.json"), JSON.stringify(orgs));
  fs.writeFileSync(
    path.join(tmp, "stamp.json"),
    JSON.stringify({ version, ipv4: v4.asn.length, ipv6: v6.asn.length, organizations: orgs.length }),
  );
  // Replaced whole, so a sensor starting meanwhile reads the old index or the new one, never half of one.
  fs.rmSync(NETWORK_INDEX_DIR, { recursive: true, force: true });
  fs.renameSync(tmp, NETWORK_INDEX_DIR);
  return NETWORK_INDEX_DIR;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildNetworkIndex();
