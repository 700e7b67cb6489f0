// `npm run bench:store`: PostgreSQL CPU per record of the sensor's store statement, whole and
// by part (parse the batch, + events, + sessions, + identity summary), without UDP or the sensor.
// It shows where the database's share of a record goes (see bench/README.md).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import pg from "pg";
import { startEmbeddedPostgres } from "../lib/db/embedded-postgres.ts";
import { migrateDatabase } from "../lib/db/migrator.ts";
import { sessionEvent } from "../lib/testing/session-event.ts";
import type { SessionEvent } from "../lib/sessions/accounting-record.ts";
import { splitIntoRounds, storeStatement, toRows } from "../lib/sessions/store.ts";
import { cpuSeconds } from "./process-stats.ts";

const RECORDS = 20_000;
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

/** Start → 2 × Interim → Stop for 200 concurrent sessions at a time, interleaved like a NAS fleet. */
function records(run: string): SessionEvent[] {
  const out: SessionEvent[] = [];
  const live: { key: string; id: string; user: string; step: number }[] = [];
  for (let n = 0; out.length < RECORDS;) {
    if (live.length < 200) {
      live.push({ key: sha(`${run}${n}`), id: `${run}-${n}`, user: `user${n % 20_000}@contoso.com`, step: 0 });
      n++;
    }
    const i = Math.floor(Math.random() * live.length);
    const s = live[i]!;
    const kind = s.step === 0 ? "start" : s.step < 3 ? "interim" : "stop";
    const time = new Date(Date.now() + out.length).toISOString();
    out.push(
      sessionEvent({
        kind,
        sessionKey: s.key,
        identity: s.user,
        acctSessionId: s.id,
        publicIp: "81.2.69.142",
        assignedIp: "10.1.2.3",
        location: {
          kind: "geo",
          countryCode: "GB",
          country: "United Kingdom",
          region: "England",
          city: "London",
          latitude: 51.5,
          longitude: -0.1,
        },
        eventTime: time,
        sessionTime: s.step * 60,
        inputBytes: String(s.step * 1000),
        outputBytes: String(s.step * 2000),
        terminateCause: kind === "stop" ? "User-Request" : null,
        interimInterval: 60,
      }),
    );
    if (++s.step > 3) live.splice(i, 1);
  }
  return out;
}

// The sensor's statement and the same statement with parts left out.
const VARIANTS: [string, string][] = [
  ["parse the batch only", storeStatement({ sessions: false, events: false, identities: false })],
  ["+ upsert sessions", storeStatement({ sessions: true, events: false, identities: false })],
  ["+ insert timeline rows", storeStatement({ sessions: true, events: true, identities: false })],
  ["+ identity summary (the sensor's statement)", storeStatement()],
];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-store-cost-"));
fs.chmodSync(dir, 0o755);
const server = await startEmbeddedPostgres({
  dataDir: dir,
  port: 59600 + Math.floor(Math.random() * 300),
  database: "postgres",
});
const postmaster = Number(fs.readFileSync(path.join(dir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
console.log(`PostgreSQL CPU per record, ${RECORDS} records per line, 2 batches in flight\n`);
for (const batch of [25, 500]) {
  for (const [name, sql] of VARIANTS) {
    const db = `v${batch}_${VARIANTS.findIndex(([n]) => n === name)}`;
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${db}`);
    await admin.end();
    const url = server.url.replace(/\/postgres$/, `/${db}`);
    await migrateDatabase(url);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    const input = records(db);
    const before = cpuSeconds(postmaster);
    const started = performance.now();
    const inFlight: Promise<unknown>[] = [];
    for (let i = 0; i < input.length; i += batch) {
      inFlight.push(
        (async () => {
          for (const round of splitIntoRounds(input.slice(i, i + batch)))
            await pool.query({ name: "v", text: sql, values: [toRows(round), "bench"] });
        })(),
      );
      if (inFlight.length >= 2) await inFlight.shift();
    }
    await Promise.all(inFlight);
    const perRecord = ((cpuSeconds(postmaster) - before) * 1e6) / input.length;
    console.log(
      `batch ${String(batch).padStart(3)}  ${name.padEnd(45)} ${perRecord.toFixed(0).padStart(4)} µs/record  (${((input.length / (performance.now() - started)) * 1000).toFixed(0)} records/s)`,
    );
    await pool.end();
  }
}
await server.stop();
fs.rmSync(dir, { recursive: true, force: true });
