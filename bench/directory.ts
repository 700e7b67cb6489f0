// `npm run bench:directory`: a Samba AD DC with 20,000 users (built once into .data/bench-directory, reused), then
//  1. a full sync, timed (target ≤ 60 s);
//  2. 100 accounts changed over LDAP, then an incremental sync, timed (target ≤ 5 s);
//  3. the sensor with the directory's names loaded: its RSS (target ≤ 200 MB), and accounting at a fixed rate and
//     flat out, against the same sensor with the directory off, in the same run (only ratios compare).
// The load generator's users (userN@contoso.com) are the directory's mail addresses: every packet resolves through
// the index to userN@contoso.test.
import fs from "node:fs";
import path from "node:path";
import { Attribute, Change, Client } from "ldapts";
import pg from "pg";
import { readEnv } from "../lib/config/env.ts";
import { createPrismaClient } from "../lib/db/prisma.ts";
import { DirectorySettingsUpdateSchema, updateDirectorySettings } from "../lib/directory/settings.ts";
import { syncDirectory } from "../lib/directory/sync.ts";
import { parseInput } from "../lib/errors.ts";
import { VpnSettingsUpdateSchema, updateVpnSettings } from "../lib/radius/vpn-settings.ts";
import { bootstrapDatabase } from "../lib/runtime/bootstrap.ts";
import { loadSecretKey } from "../lib/secrets/secret-box.ts";
import { SAMBA_ADMIN_PASSWORD, directorySettingsFor, startSambaDc } from "../lib/testing/samba-dc.ts";
import { startSensor, waitFor, type SensorProcess } from "../sensor/testing/sensor-process.ts";
import { runLoad } from "./load-generator.ts";
import { peakRssMb } from "./process-stats.ts";

const USERS = Number(process.env.BENCH_DIRECTORY_USERS ?? 20_000);
const CHANGES = 100;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RATE = 1000;
const SECRET = "bench-directory-secret";
const root = path.resolve(process.env.BENCH_DIRECTORY_DIR ?? ".data/bench-directory");
const log = (s: string) => process.stdout.write(`${s}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** user0 … user{n-1}: UPN userN@contoso.test, mail userN@contoso.com (the load generator's names), a department. */
function usersLdif(n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++)
    parts.push(
      `dn: CN=user${i},CN=Users,DC=contoso,DC=test\nchangetype: add\nobjectClass: user\nsAMAccountName: user${i}\n` +
        `userPrincipalName: user${i}@contoso.test\nmail: user${i}@contoso.com\ndisplayName: User ${i}\n` +
        `department: Dept ${i % 50}\n\n`,
    );
  return parts.join("");
}

async function main() {
  fs.mkdirSync(root, { recursive: true });
  const dcDir = path.join(root, `dc-${USERS}`);
  const fresh = !fs.existsSync(path.join(dcDir, "ready"));
  if (fresh) log(`Adding ${USERS} users to a new Samba DC in ${dcDir} (once: Samba adds them at ~4–25 ms each)…`);
  const built = Date.now();
  const dc = await startSambaDc((_tool, ldif) => ldif(usersLdif(USERS)), { keepIn: dcDir });
  if (fresh) log(`  built in ${seconds(Date.now() - built)}`);

  const dataDir = path.join(root, "db");
  fs.mkdirSync(dataDir, { recursive: true });
  fs.chmodSync(dataDir, 0o755);
  process.env.VPNSIGHT_DATA_DIR = dataDir; // the key that seals the bind password (installationKey)
  const key = loadSecretKey(dataDir, process.env.VPNSIGHT_SECRET_KEY);
  const env = readEnv({ ...process.env, DATABASE_URL: "", VPNSIGHT_DATA_DIR: dataDir, VPNSIGHT_PG_PORT: "54898" });
  const database = await bootstrapDatabase({ env, migrate: "always", key });
  const db = createPrismaClient(database.url);
  const pool = new pg.Pool({ connectionString: database.url });
  const sensors: SensorProcess[] = [];
  try {
    await pool.query(`TRUNCATE "DirectoryAccount", "VpnSession", "VpnSessionEvent", "Identity", "Alert" CASCADE`);
    await pool.query(`UPDATE "DirectorySettings" SET "syncCursor" = NULL, "lastSync" = NULL`);
    await updateDirectorySettings(
      db,
      parseInput(DirectorySettingsUpdateSchema, directorySettingsFor(dc, "Administrator", SAMBA_ADMIN_PASSWORD)),
      { label: "bench" },
    );
    await updateVpnSettings(db, parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: SECRET }), {
      label: "bench",
    });

    // 1. Full sync.
    const full = await syncDirectory(db, { mode: "full" });
    if (full.error) throw new Error(`full sync failed: ${full.error}`);
    log(`\nFull sync: ${full.added} accounts in ${seconds(full.durationMs)} (target ≤ 60 s)`);

    // 2. 100 changes, then an incremental sync.
    const admin = new Client({ url: dc.url, tlsOptions: { ca: [dc.caPem] } });
    await admin.bind(dc.adminUpn, SAMBA_ADMIN_PASSWORD);
    const stamp = Date.now().toString(36);
    for (let i = 0; i < CHANGES; i++)
      await admin.modify(`CN=user${i * Math.floor(USERS / CHANGES)},CN=Users,DC=contoso,DC=test`, [
        new Change({ operation: "replace", modification: new Attribute({ type: "title", values: [`T-${stamp}`] }) }),
      ]);
    await admin.unbind();
    const incremental = await syncDirectory(db);
    if (incremental.error || incremental.full) throw new Error(`incremental sync: ${JSON.stringify(incremental)}`);
    log(
      `Incremental sync: ${incremental.changed} changed accounts in ${seconds(incremental.durationMs)} (target ≤ 5 s)`,
    );

    if (process.env.BENCH_SYNC_ONLY) return;
    // 3. The sensor, with and without the directory's names.
    const rows: string[] = [];
    for (const directory of [true, false]) {
      await pool.query(`UPDATE "DirectorySettings" SET enabled = $1`, [directory]);
      const sensor = await startSensor({
        DATABASE_URL: database.url,
        VPNSIGHT_DATA_DIR: dataDir,
        VPNSIGHT_DIRECTORY_CHECK_MS: String(3_600_000),
      });
      sensors.push(sensor);
      if (directory)
        await waitFor(
          async () => /"accounts":[1-9]\d*[^\n]*directory names loaded/.test(sensor.logs()),
          60_000,
          "the sensor loaded the directory's names",
        );
      const loadedRss = peakRssMb(sensor.child.pid!);
      const base = { host: "127.0.0.1", port: sensor.port, secret: SECRET, timeoutMs: 1000, tries: 3 };
      const shape = { identities: USERS, nas: 50, interimsPerSession: 2 };
      const fixed = await runLoad({
        ...base,
        ...shape,
        duration: SECONDS,
        rate: RATE,
        window: 128,
        runId: `dir${directory}-fixed-${stamp}`,
      });
      const flat = await runLoad({
        ...base,
        ...shape,
        duration: SECONDS,
        rate: 0,
        window: 128,
        runId: `dir${directory}-flat-${stamp}`,
      });
      const peak = peakRssMb(sensor.child.pid!);
      rows.push(
        `| ${directory ? "on (" + full.added + " accounts)" : "off"} | ${loadedRss.toFixed(0)} | ${peak.toFixed(0)} | ` +
          `${fixed.answeredPerSecond.toFixed(0)} | ${fixed.latencyMs.p95.toFixed(1)} | ${flat.answeredPerSecond.toFixed(0)} |`,
      );
      await sensor.stop();
      sensors.pop();
    }
    const resolved = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "VpnSession" WHERE "userName" LIKE '%@contoso.com' AND identity LIKE '%@contoso.test'`,
    );
    log(`\nSensor (${SECONDS} s at ${RATE} req/s, then ${SECONDS} s flat out; 128 outstanding):`);
    log(`| directory | RSS after start (MB) | peak RSS (MB) | answered/s at ${RATE} | p95 ms | answered/s flat out |`);
    log(`|---|---|---|---|---|---|`);
    for (const r of rows) log(r);
    log(`Sessions resolved through the directory (userN@contoso.com → userN@contoso.test): ${resolved.rows[0]!.n}`);
  } finally {
    for (const s of sensors) await s.stop().catch(() => {});
    await pool.end();
    await db.$disconnect();
    await database.stop();
    await dc.stop();
  }
}

await main();
