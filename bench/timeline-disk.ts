// `npm run bench:timeline-disk`: disk per identity-day of the timeline, the shape of issue 22: one 8-hour session a
// day per identity with a 10-minute Interim-Update (Start, 47 Interim-Updates, Stop), same public IP throughout,
// written through the store (the one write path). Prints the tables' and indexes' bytes per identity-day. Point
// VPNSIGHT_ROOT at another checkout to measure its store the same way.
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { tableSizes } from "./table-sizes.ts";

const root = path.resolve(process.env.VPNSIGHT_ROOT ?? ".");
const IDENTITIES = Number(process.env.BENCH_IDENTITIES ?? 1000);
const { startEmbeddedPostgres } = await import(path.join(root, "lib/db/embedded-postgres.ts"));
const { migrateDatabase } = await import(path.join(root, "lib/db/migrator.ts"));
const { writeAccountingRecords } = await import(path.join(root, "lib/sessions/store.ts"));
const { sessionEvent } = await import(path.join(root, "lib/testing/session-event.ts"));

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-timeline-disk-"));
fs.chmodSync(dir, 0o755);
const db = await startEmbeddedPostgres({ dataDir: dir, port: 55000 + Math.floor(Math.random() * 900) });
try {
  await migrateDatabase(db.url);
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const T0 = Date.parse("2026-11-02T08:00:00Z");
  const location = {
    kind: "geo",
    countryCode: "GB",
    country: "United Kingdom",
    region: null,
    city: "London",
    latitude: 51.5,
    longitude: -0.1,
  };
  // As the sensor makes them: sha256 of NAS, Acct-Session-Id and User-Name, in hex.
  const sessionKeys = Array.from({ length: IDENTITIES }, (_, i) => createHash("sha256").update(`S${i}`).digest("hex"));
  // Step by step across identities: each batch holds one record of each session, as a NAS fleet sends them.
  for (let step = 0; step <= 48; step++) {
    const kind = step === 0 ? "start" : step === 48 ? "stop" : "interim";
    const batch = [];
    for (let i = 0; i < IDENTITIES; i++) {
      const seconds = step * 600;
      batch.push({
        ...sessionEvent({
          kind,
          sessionKey: sessionKeys[i]!,
          identity: `user${i}@contoso.com`,
          userName: `user${i}@contoso.com`,
          acctSessionId: `S${i}`,
          publicIp: `81.2.${i >> 8}.${i & 255}`,
          assignedIp: `10.8.${i >> 8}.${i & 255}`,
          location,
          eventTime: new Date(T0 + seconds * 1000).toISOString(),
          sessionTime: step === 0 ? null : seconds,
          inputBytes: String(seconds * 1000),
          outputBytes: String(seconds * 5000),
          interimInterval: 600,
        }),
        // A store before the partitioned timeline (VPNSIGHT_ROOT) keyed each record so, as the sensor made it; since
        // ignored.
        eventKey: createHash("sha256").update(`${i}-${step}`).digest("hex"),
      });
    }
    for (let i = 0; i < batch.length; i += 200) await writeAccountingRecords(pool, batch.slice(i, i + 200), "bench");
  }
  await pool.query("VACUUM ANALYZE");
  const rows = await tableSizes(pool, ["VpnSessionEvent", "VpnSession", "Identity"]);
  const { rows: timeline } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "VpnSessionEvent"`);
  console.log(`${IDENTITIES} identity-days (8 h sessions, 10-minute Interim-Updates), store of ${root}`);
  let total = 0;
  for (const r of rows) {
    total += r.table + r.indexes;
    console.log(
      `${r.name.padEnd(16)} table ${(r.table / IDENTITIES).toFixed(0).padStart(6)} B   indexes ${(r.indexes / IDENTITIES).toFixed(0).padStart(6)} B   per identity-day`,
    );
  }
  console.log(`timeline rows: ${timeline[0]!.n} (${(timeline[0]!.n / IDENTITIES).toFixed(1)} per session)`);
  console.log(`all three: ${(total / IDENTITIES).toFixed(0)} B per identity-day`);
  await pool.end();
} finally {
  await db.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
