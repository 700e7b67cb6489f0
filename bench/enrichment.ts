// `npm run bench:enrichment`: what the network owner (lib/geo/network.ts) adds to each packet's decode and
// normalization, and to the sensor's memory. The same packets (real Accounting-Requests, one public IP each, most of
// them new to the lookup caches) are decoded and normalized with the place only, then with place and network,
// alternately, three rounds each.
import { decodeAccountingRequest } from "../sensor/decode.ts";
import { parseStructure } from "../sensor/protocol/verify.ts";
import { normalizeAccounting } from "../sensor/session-event.ts";
import { buildAccountingRequest, int, ipv4, str } from "../sensor/testing/accounting-packet.ts";
import { NO_MAPPINGS } from "../lib/identities/resolve-identity.ts";
import { openGeoLocator } from "../lib/geo/locator.ts";
import { openNetworkLocator } from "../lib/geo/network.ts";

const PACKETS = Number(process.env.BENCH_PACKETS ?? 100_000);
const SECRET = "bench-secret-0000001";

const rss = () => process.memoryUsage().rss / 1e6;
const before = rss();
const geo = openGeoLocator();
const afterGeo = rss();
const network = openNetworkLocator();
network.lookup("8.8.8.8");
const afterNetwork = rss();

// Public IPs spread over the address space (a fleet's clients), each packet its own.
let seed = 11;
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
const packets = Array.from({ length: PACKETS }, (_, i) => {
  const ip = [1 + Math.floor(random() * 222), Math.floor(random() * 256), Math.floor(random() * 256), 1 + (i % 254)];
  return buildAccountingRequest(SECRET, [
    str(1, `user${i % 20_000}@contoso.com`),
    int(40, 1),
    str(44, `S${i}`),
    ipv4(4, "10.0.0.1"),
    str(31, ip.join(".")),
  ]);
});

function run(withNetwork: boolean): number {
  const started = process.cpuUsage();
  for (const packet of packets) {
    const decoded = decodeAccountingRequest(packet, parseStructure(packet)!.attributes);
    normalizeAccounting(decoded, {
      sourceIp: "192.0.2.50",
      clientId: null,
      receivedAt: new Date(),
      configuredVendor: null,
      mappings: NO_MAPPINGS,
      geolocate: (ip) => geo.lookup(ip),
      networkOf: withNetwork ? (ip) => network.lookup(ip) : () => null,
    });
  }
  const cpu = process.cpuUsage(started);
  return (cpu.user + cpu.system) / PACKETS;
}

const placeOnly: number[] = [];
const withNetwork: number[] = [];
for (let round = 0; round < 3; round++) {
  placeOnly.push(run(false));
  withNetwork.push(run(true));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1]!;
console.log(`decode + normalize per packet, ${PACKETS.toLocaleString("en")} packets, median of 3 rounds (CPU µs):`);
console.log(
  `  place only          ${median(placeOnly).toFixed(1)} µs   (rounds ${placeOnly.map((x) => x.toFixed(1)).join(", ")})`,
);
console.log(
  `  place and network   ${median(withNetwork).toFixed(1)} µs   (rounds ${withNetwork.map((x) => x.toFixed(1)).join(", ")})`,
);
console.log(
  `  network adds ${(median(withNetwork) - median(placeOnly)).toFixed(1)} µs (${((100 * median(withNetwork)) / median(placeOnly) - 100).toFixed(0)} %)`,
);
console.log(
  `memory: process ${before.toFixed(0)} MB at start, ${afterGeo.toFixed(0)} MB with the place reader, ${afterNetwork.toFixed(0)} MB with the network index (+${(afterNetwork - afterGeo).toFixed(0)} MB); ${rss().toFixed(0)} MB after the runs`,
);
