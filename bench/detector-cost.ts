// `npm run bench:detector` (also the last part of `npm run bench`): the detector's cost per judged session with no
// exclusions and with 1,000, on the same stored history, judged again and again alternately (A B A B …) so a noisy
// moment hits both. Target (issue 20): with 1,000 exclusions within 2 × without.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbeddedPostgres } from "../lib/db/embedded-postgres.ts";
import { migrateDatabase } from "../lib/db/migrator.ts";
import { writeAccountingRecords } from "../lib/sessions/store.ts";
import { runPendingDetections } from "../lib/alerts/session-judging.ts";
import { history } from "../lib/testing/vpn-history.ts";
import { cpuSeconds } from "./process-stats.ts";

const IDENTITIES = Number(process.env.BENCH_DETECTOR_IDENTITIES ?? 1000);
const ROUNDS = Number(process.env.BENCH_DETECTOR_ROUNDS ?? 3);
const EXCLUSIONS = 1000;

/** 1,000 exclusions that never match (every finding is checked against all of them): IPs, identities, countries, NASes. */
async function addExclusions(pool: pg.Pool): Promise<void> {
  const values = Array.from({ length: EXCLUSIONS }, (_, i) => {
    const kind = i % 4;
    return [
      kind === 0 ? null : "impossible-travel",
      kind === 1 ? `nobody${i}@contoso.com` : null,
      kind === 0 ? `198.18.${i % 256}.0/24` : kind === 2 ? `2001:db8:${i.toString(16)}::/48` : null,
      kind === 3 ? "AQ" : null,
      kind === 2 ? `nas-${i}` : null,
    ];
  });
  await pool.query(
    `INSERT INTO "DetectionExclusion" (id, rule, identity, "ipBlock", "countryCode", nas, reason, "createdBy")
     SELECT gen_random_uuid(), x->>0, x->>1, x->>2, x->>3, x->>4, 'bench', 'bench' FROM jsonb_array_elements($1::jsonb) x`,
    [JSON.stringify(values)],
  );
}

/** Judges every stored session again from scratch; wall and this process's CPU (the detector's own), and PostgreSQL's. */
async function judgeAll(pool: pg.Pool, postmaster: number) {
  await pool.query(`TRUNCATE "Alert", "AlertDelivery"`);
  await pool.query(`UPDATE "VpnSession" SET "detectedAt" = NULL`);
  await pool.query(`VACUUM ANALYZE "VpnSession"`);
  const cpu0 = process.cpuUsage();
  const db0 = cpuSeconds(postmaster);
  const t0 = performance.now();
  let judged = 0;
  for (let n; (n = await runPendingDetections(pool)) > 0;) judged += n;
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const alerts = (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Alert"`)).rows[0]!.n;
  return {
    judged,
    alerts,
    wallUs: (1000 * wall) / judged,
    cpuUs: (cpu.user + cpu.system) / judged,
    dbUs: (1e6 * (cpuSeconds(postmaster) - db0)) / judged,
  };
}

export async function benchDetectorCost(log: (line: string) => void = console.log): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-detector-cost-"));
  fs.chmodSync(dir, 0o755);
  const server = await startEmbeddedPostgres({
    dataDir: dir,
    port: 59000 + Math.floor(Math.random() * 500),
    database: "postgres",
  });
  const pool = new pg.Pool({ connectionString: server.url, max: 4 });
  try {
    await migrateDatabase(server.url);
    const postmaster = Number(fs.readFileSync(path.join(dir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);
    const now = Date.now();
    for (let i = 0; i < IDENTITIES; i += 100) {
      const batch = Array.from({ length: Math.min(100, IDENTITIES - i) }, (_, k) =>
        history(`user${i + k}@contoso.com`, now),
      ).flat();
      await writeAccountingRecords(pool, batch, "bench");
    }
    log(
      `\ndetector cost per judged session (${IDENTITIES.toLocaleString("en")} identities × 14 sessions: 34 days of London, then Amsterdam and Tokyo; ${ROUNDS} rounds each, alternating)`,
    );
    const without: Awaited<ReturnType<typeof judgeAll>>[] = [];
    const withExclusions: typeof without = [];
    for (let round = 1; round <= ROUNDS; round++) {
      await pool.query(`TRUNCATE "DetectionExclusion"`);
      without.push(await judgeAll(pool, postmaster));
      await addExclusions(pool);
      withExclusions.push(await judgeAll(pool, postmaster));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const line = (label: string, rs: typeof without) =>
      log(
        `  ${label.padEnd(20)} ${rs[0]!.judged} judged, ${rs[0]!.alerts} alerts; median per session: wall ${median(rs.map((r) => r.wallUs)).toFixed(0)} µs, detector CPU ${median(rs.map((r) => r.cpuUs)).toFixed(0)} µs, PostgreSQL CPU ${median(rs.map((r) => r.dbUs)).toFixed(0)} µs`,
      );
    line("no exclusions", without);
    line(`${EXCLUSIONS.toLocaleString("en")} exclusions`, withExclusions);
    const total = (rs: typeof without) => median(rs.map((r) => r.cpuUs + r.dbUs));
    const ratio = total(withExclusions) / total(without);
    log(
      `  with / without: CPU (detector + PostgreSQL) ${ratio.toFixed(2)} ×, wall ${(median(withExclusions.map((r) => r.wallUs)) / median(without.map((r) => r.wallUs))).toFixed(2)} × (target ≤ 2 ×)`,
    );
    return ratio;
  } finally {
    await pool.end();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchDetectorCost().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
