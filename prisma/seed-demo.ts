// `npm run seed:demo -- --identities N --sessions M`: realistic demo VPN sessions through the
// sensor's own store (one write path), in time order and batches of the sensor's size.
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import pg from "pg";
import { readEnv } from "../lib/config/env.ts";
import { bootstrapDatabase } from "../lib/runtime/bootstrap.ts";
import { installationKey } from "../lib/secrets/installation-key.ts";
import type { GeoLocation } from "../lib/geo/locator.ts";
import { resolveIdentity } from "../lib/identities/resolve-identity.ts";
import { seededRandom } from "../lib/random.ts";
import type { VendorId } from "../lib/radius/vendors.ts";
import type { SessionEvent } from "../lib/sessions/accounting-record.ts";
import { writeAccountingRecords } from "../lib/sessions/store.ts";
import { addTimelinePartitions } from "../lib/sessions/partitions.ts";
import { openNetworkLocator } from "../lib/geo/network.ts";
import { buildNetworkIndex } from "../scripts/build-network-index.mjs";

const CITIES: [
  country: string,
  code: string,
  region: string,
  city: string,
  lat: number,
  lon: number,
  ipPrefix: string,
][] = [
  ["United States", "US", "New York", "New York", 40.71, -74.01, "72.229"],
  ["United States", "US", "California", "San Francisco", 37.77, -122.42, "64.71"],
  ["United States", "US", "Illinois", "Chicago", 41.88, -87.63, "98.213"],
  ["United Kingdom", "GB", "England", "London", 51.51, -0.13, "81.2"],
  ["United Kingdom", "GB", "England", "Manchester", 53.48, -2.24, "86.14"],
  ["France", "FR", "Île-de-France", "Paris", 48.86, 2.35, "82.64"],
  ["France", "FR", "Auvergne-Rhône-Alpes", "Lyon", 45.76, 4.84, "90.63"],
  ["Germany", "DE", "Berlin", "Berlin", 52.52, 13.41, "85.214"],
  ["Germany", "DE", "Bavaria", "Munich", 48.14, 11.58, "88.217"],
  ["Netherlands", "NL", "North Holland", "Amsterdam", 52.37, 4.9, "145.53"],
  ["Spain", "ES", "Madrid", "Madrid", 40.42, -3.7, "83.36"],
  ["Italy", "IT", "Lombardy", "Milan", 45.46, 9.19, "93.63"],
  ["Sweden", "SE", "Stockholm", "Stockholm", 59.33, 18.07, "83.248"],
  ["Japan", "JP", "Tokyo", "Tokyo", 35.68, 139.69, "126.78"],
  ["Singapore", "SG", "Singapore", "Singapore", 1.35, 103.82, "116.12"],
  ["India", "IN", "Karnataka", "Bengaluru", 12.97, 77.59, "106.51"],
  ["Australia", "AU", "New South Wales", "Sydney", -33.87, 151.21, "101.160"],
  ["Brazil", "BR", "São Paulo", "São Paulo", -23.55, -46.63, "177.69"],
  ["Canada", "CA", "Ontario", "Toronto", 43.65, -79.38, "99.224"],
  ["South Africa", "ZA", "Gauteng", "Johannesburg", -26.2, 28.05, "105.224"],
];
const VENDORS: VendorId[] = ["cisco_asa", "microsoft", "f5", "checkpoint"];

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

export interface SeedOptions {
  /** The days the sessions spread over, up to now (default 180). */
  days?: number;
  /**
   * Also an Interim-Update a session (counters only: it updates the session, as the 47 of an 8-hour session with
   * 10-minute updates would, and is no timeline row), and for 1 % of sessions a second one from another public IP
   * (roaming: a timeline row).
   */
  interims?: boolean;
  /**
   * Sessions that start before this time are stored as judged (as the detector would have left them), by the store's
   * own rule for records too late to judge: received DETECTION_WINDOW_DAYS + 1 days after they happened. Marking them
   * afterwards would write every session row a second time.
   */
  judgedBefore?: number;
}

export async function seedDemo(
  databaseUrl: string,
  identities: number,
  sessions: number,
  log: (s: string) => void,
  opts: SeedOptions = {},
): Promise<void> {
  const days = opts.days ?? 180;
  const judgedLate = (readEnv().DETECTION_WINDOW_DAYS + 1) * 86_400_000;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  // History goes to its month's partition, as it would have when it happened.
  await addTimelinePartitions(pool, Math.ceil(days / 28));
  // Names resolve as the sensor resolves them (domain mappings and aliases in the database).
  const [domains, aliases] = await Promise.all([
    pool.query<{ netbiosDomain: string; upnSuffix: string }>(
      `SELECT "netbiosDomain", "upnSuffix" FROM "DomainMapping"`,
    ),
    pool.query<{ alias: string; identity: string }>(`SELECT alias, identity FROM "IdentityAlias"`),
  ]);
  const mappings = {
    netbiosToUpnSuffix: new Map(domains.rows.map((d) => [d.netbiosDomain, d.upnSuffix])),
    aliasToPrimary: new Map(aliases.rows.map((a) => [a.alias, a.identity])),
  };
  // The network owner of each address, as the sensor would store it (the index is built once if missing).
  await buildNetworkIndex();
  const network = openNetworkLocator();
  const random = seededRandom(42);
  const now = Date.now();
  const started = Date.now();
  // Records go out in time order, as a NAS fleet sends them (a session's Stop hours after its Start, with the other
  // sessions' records in between), in batches of the sensor's size: held by the minute they happen until every
  // session that starts before that minute has been made.
  const BATCH_RECORDS = 500;
  const held = new Map<number, SessionEvent[]>();
  const hold = (record: SessionEvent) => {
    const minute = Math.floor(Date.parse(record.eventTime) / 60_000);
    const list = held.get(minute);
    if (list) list.push(record);
    else held.set(minute, [record]);
  };
  let batch: SessionEvent[] = [];
  // Two batches in flight: PostgreSQL works on one while Node builds the next.
  const inFlight = new Set<Promise<void>>();
  let releasedTo: number | undefined; // every minute before this one is out
  const release = async (beforeMinute: number) => {
    for (let minute = releasedTo ?? beforeMinute; minute < beforeMinute; minute++) {
      for (const record of held.get(minute) ?? []) {
        batch.push(record);
        if (batch.length >= BATCH_RECORDS) await flush();
      }
      held.delete(minute);
    }
    releasedTo = Math.max(releasedTo ?? beforeMinute, beforeMinute);
  };
  const flush = async () => {
    if (!batch.length) return;
    const write = writeAccountingRecords(pool, batch, "seed-demo").finally(() => inFlight.delete(write));
    write.catch(() => {}); // surfaced by the race/all below, not as an unhandled rejection
    inFlight.add(write);
    batch = [];
    if (inFlight.size >= 2) await Promise.race(inFlight);
  };
  for (let n = 0; n < sessions; n++) {
    const who = n % identities;
    const home = CITIES[who % CITIES.length]!;
    const traveller = who % 20 === 0;
    const place = traveller && random() < 0.3 ? CITIES[Math.floor(random() * CITIES.length)]! : home;
    const [country, countryCode, region, city, lat, lon, prefix] = place;
    const publicIp = `${prefix}.${Math.floor(random() * 250) + 1}.${(who % 250) + 1}`;
    const location: GeoLocation = { kind: "geo", countryCode, country, region, city, latitude: lat, longitude: lon };
    // In time order, as accounting arrives: the tables' physical order then follows time, as in production.
    const startMs = now - days * 86_400_000 + Math.floor(((n + random()) / sessions) * days * 86_400_000);
    const duration = 300 + Math.floor(random() * 8 * 3600);
    const open = startMs + duration * 1000 > now || random() < 0.002;
    const nas = `10.0.${who % 8}.1`;
    const userName = who % 3 === 0 ? `CONTOSO\\user${who}` : `user${who}@contoso.com`;
    const acctSessionId = `DEMO-${n}`;
    const sessionKey = sha(`${nas}\u0000${acctSessionId}\u0000${userName}`);
    const common = {
      sessionKey,
      identity: resolveIdentity(userName, mappings),
      userName,
      vendor: VENDORS[who % VENDORS.length]!,
      nasKey: nas,
      nasIp: nas,
      nasIdentifier: null,
      sourceIp: nas,
      acctSessionId,
      publicIp,
      assignedIp: `100.64.${who % 250}.${(n % 250) + 1}`,
      location,
      network: network.lookup(publicIp),
      clientName: null,
      interimInterval: 600,
    };
    const startIso = new Date(startMs).toISOString();
    const received = (iso: string) =>
      opts.judgedBefore !== undefined && startMs < opts.judgedBefore
        ? new Date(Date.parse(iso) + judgedLate).toISOString()
        : iso;
    await release(Math.floor(startMs / 60_000));
    hold({
      ...common,
      kind: "start",
      eventTime: startIso,
      receivedAt: received(startIso),
      sessionTime: null,
      inputBytes: "0",
      outputBytes: "0",
      terminateCause: null,
    });
    if (opts.interims && duration >= 1200) {
      const half = Math.floor(duration / 2);
      const interim = (seconds: number, ip: string): SessionEvent => ({
        ...common,
        publicIp: ip,
        network: network.lookup(ip),
        kind: "interim",
        eventTime: new Date(startMs + seconds * 1000).toISOString(),
        receivedAt: received(new Date(startMs + seconds * 1000).toISOString()),
        sessionTime: seconds,
        inputBytes: String(seconds * 50_000),
        outputBytes: String(seconds * 200_000),
        terminateCause: null,
      });
      hold(interim(half, publicIp));
      if (random() < 0.01) hold(interim(half + 600, `${prefix}.${Math.floor(random() * 250) + 1}.251`));
    }
    if (!open) {
      const endIso = new Date(startMs + duration * 1000).toISOString();
      const bytes = String(duration * (20_000 + Math.floor(random() * 200_000)));
      hold({
        ...common,
        kind: "stop",
        eventTime: endIso,
        receivedAt: received(endIso),
        sessionTime: duration,
        inputBytes: bytes,
        outputBytes: String(Number(bytes) * 4),
        terminateCause: "User-Request",
      });
    }
    if ((n + 1) % 100_000 === 0) log(`  ${n + 1} sessions (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  await release(Math.max(releasedTo ?? 0, ...held.keys()) + 1); // the rest
  await flush();
  await Promise.all(inFlight);
  // Months of accounting written in minutes, two batches at a time, outpace in-place updates of the
  // identity summary (each batch updates most rows while the other still sees their old versions):
  // compact it once, as it stays under a sensor's steady load (bench/README.md). Then what
  // autovacuum would have done over those months: statistics, and the visibility map that lets
  // the identities list count from the startedAt index alone.
  await pool.query(`VACUUM FULL "Identity"`);
  await pool.query("VACUUM ANALYZE");
  await pool.end();
  log(
    `Seeded ${sessions} sessions for ${Math.min(identities, sessions)} identities in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { identities: { type: "string", default: "200" }, sessions: { type: "string", default: "10000" } },
  });
  const identities = Number(values.identities);
  const sessions = Number(values.sessions);
  if (!Number.isInteger(identities) || identities < 1 || !Number.isInteger(sessions) || sessions < 1) {
    console.error("Usage: npm run seed:demo -- --identities N --sessions M (positive whole numbers)");
    process.exit(2);
  }
  const database = await bootstrapDatabase({
    env: readEnv(),
    migrate: "always",
    key: installationKey(),
    log: (l) => console.error(l),
  });
  await seedDemo(database.url, identities, sessions, console.log);
  await database.stop();
}
