// `npm run bench:store`: PostgreSQL CPU per record of the sensor's store statement, whole and
// by part (parse the batch, + events, + sessions, + identity summary), without UDP or the sensor.
// It shows where the database's share of a record goes (see bench/README.md).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../lib/db/embedded-postgres.ts";
import { splitIntoRounds, storeStatement, toRows } from "../lib/sessions/store.ts";
import { cpuSeconds } from "./process-stats.ts";
import { freshDatabase } from "./bench-database.ts";
import { RECORDS, records } from "./store-cost-records.ts";

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
    const url = await freshDatabase(server.url, db);
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

// The fixed part of a statement (issue 22 item 4): one connection, one statement at a time, small batches written
// back to back and paced (a pause after each, as at an everyday rate), beside a SELECT and a one-row INSERT.
const FIXED: [string, string][] = [
  ["SELECT of the parameters", "SELECT $1::text IS NULL, $2::text"],
  [
    "one-row INSERT and its commit",
    `INSERT INTO "AuditEntry" (actor, action, target) SELECT $2, 'bench', 'bench' WHERE $1::text IS NOT NULL`,
  ],
  ["the sensor's statement", storeStatement()],
];
console.log(
  `\nPostgreSQL CPU per statement, one connection, 3,000 records per line; paced: a pause after each statement\n`,
);
let n = 0;
for (const [name, sql] of FIXED) {
  for (const [batch, paceMs] of name === "the sensor's statement"
    ? [
        [1, 0],
        [1, 1],
        [2, 0],
        [2, 2],
        [10, 0],
        [10, 10],
        [50, 0],
      ]
    : [
        [1, 0],
        [1, 1],
      ]) {
    const db = `fixed_${n++}`;
    const url = await freshDatabase(server.url, db);
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    await pool.query("SELECT 1");
    const input = records(db).slice(0, 3000);
    const before = cpuSeconds(postmaster);
    let statements = 0;
    for (let i = 0; i < input.length; i += batch!) {
      for (const round of splitIntoRounds(input.slice(i, i + batch!))) {
        await pool.query({ name: "v", text: sql, values: [toRows(round), "bench"] });
        statements++;
      }
      if (paceMs) await new Promise((r) => setTimeout(r, paceMs));
    }
    const us = (cpuSeconds(postmaster) - before) * 1e6;
    console.log(
      `${name.padEnd(32)} batch ${String(batch).padStart(2)}${paceMs ? `, paced ${paceMs} ms` : ", back to back"}`.padEnd(
        62,
      ) +
        `${(us / statements).toFixed(0).padStart(5)} µs a statement, ${(us / input.length).toFixed(0).padStart(4)} µs a record`,
    );
    await pool.end();
  }
}
await server.stop();
fs.rmSync(dir, { recursive: true, force: true });
