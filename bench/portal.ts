// `npm run bench:portal`: 20,000 identities / 1,000,000 sessions (seeded once, reused), then p50/p95
// server time of the identities list and the entity profile, signed in, over HTTP.
import path from "node:path";
import pg from "pg";
import { createPrismaClient } from "../lib/db/prisma.ts";
import { seedDemo } from "../prisma/seed-demo.ts";
import { overview } from "../lib/overview/overview.ts";
import { signIn, startPortal, timePage, type PageTimes } from "./http-timing.ts";
import { BENCH_ADMIN, openBenchDatabase } from "./bench-database.ts";

const IDENTITIES = Number(process.env.BENCH_IDENTITIES ?? 20_000);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1_000_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100);
const PORT = 3517;
const dataDir = path.resolve(process.env.BENCH_PORTAL_DATA_DIR ?? ".data/bench-portal");
const log = (s: string) => process.stdout.write(`${s}\n`);

async function main() {
  const database = await openBenchDatabase(dataDir, 54899);
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "VpnSession"`);
  if (rows[0]!.n < SESSIONS) {
    log(`Seeding ${IDENTITIES} identities / ${SESSIONS} sessions into ${dataDir} (once; reused afterwards)…`);
    await client.query(`TRUNCATE "VpnSession", "VpnSessionEvent", "Identity"`);
    await seedDemo(database.url, IDENTITIES, SESSIONS, log);
  }
  const counts = await client.query<{ sessions: number; identities: number; events: number }>(
    `SELECT (SELECT count(*) FROM "VpnSession")::int AS sessions, (SELECT count(*) FROM "Identity")::int AS identities, (SELECT count(*) FROM "VpnSessionEvent")::int AS events`,
  );
  await client.end();
  const prisma = createPrismaClient(database.url);
  // The page keeps the month's figures a minute and refreshes them in the background: what one refresh costs.
  const monthRuns: number[] = [];
  for (let i = 0; i < 6; i++) {
    const started = performance.now();
    await overview(prisma, "30d");
    if (i > 0) monthRuns.push(performance.now() - started);
  }
  const monthMs = monthRuns.reduce((a, b) => a + b, 0) / monthRuns.length;
  await prisma.$disconnect();

  const portal = await startPortal(database.url, PORT);
  let results: Record<string, PageTimes>;
  try {
    const base = portal.base;
    const cookie = await signIn(base, BENCH_ADMIN);
    const pick = () => `user${Math.floor(Math.random() * IDENTITIES)}%40contoso.com`;
    results = {
      "identities list (/identities)": await timePage(base, cookie, () => "/identities", REQUESTS),
      "identities search (?q=user1234)": await timePage(
        base,
        cookie,
        () => `/identities?q=user${Math.floor(Math.random() * IDENTITIES)}`,
        REQUESTS,
      ),
      "identities by 30-day sessions": await timePage(base, cookie, () => "/identities?sort=sessions30d", REQUESTS),
      "identities by 30-day locations": await timePage(base, cookie, () => "/identities?sort=locations30d", REQUESTS),
      "entity profile, 30 days": await timePage(base, cookie, () => `/identities/${pick()}`, REQUESTS),
      "entity profile, 180 days": await timePage(base, cookie, () => `/identities/${pick()}?days=180`, REQUESTS),
      // Issue 21 (target p95 ≤ 300 ms for the overview).
      "overview, 24 hours (/)": await timePage(base, cookie, () => "/", REQUESTS),
      "overview, 30 days": await timePage(base, cookie, () => "/?period=30d", REQUESTS),
      "VPN activity (/activity)": await timePage(base, cookie, () => "/activity", REQUESTS),
      "VPN activity, one country": await timePage(base, cookie, () => "/activity?country=GB", REQUESTS),
    };
  } finally {
    // Stops what it started, also when a request failed.
    portal.stop();
    await database.stop();
  }
  const c = counts.rows[0]!;
  log(
    `\nPortal benchmark — ${new Date().toISOString()} — ${c.identities} identities, ${c.sessions} sessions, ${c.events} activity rows; ${REQUESTS} requests each, sequential, signed in`,
  );
  log(`${"page".padEnd(36)}${"p50 ms".padEnd(10)}${"p95 ms".padEnd(10)}max ms   (target p95 ≤ 150 ms)`);
  for (const [page, r] of Object.entries(results))
    log(`${page.padEnd(36)}${r.p50.toFixed(1).padEnd(10)}${r.p95.toFixed(1).padEnd(10)}${r.max.toFixed(1)}`);
  log(
    `the month's overview figures, computed (each refresh, at most once a minute, in the background): ${monthMs.toFixed(0)} ms (mean of 5)`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
