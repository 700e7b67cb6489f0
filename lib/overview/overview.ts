import { OPEN_STATUSES } from "../alerts/status.ts";
import { z } from "zod";
import type { Db } from "../db/prisma.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { locationLabel } from "../geo/location.ts";
import { SEVERITIES, type Severity } from "../alerts/severity.ts";

// The overview (/): VPN activity over time, online now, where connections came from, new countries, open alerts,
// identities in several countries. Every figure is a count the page links to the list behind it.

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const OverviewQuerySchema = z.object({
  period: z.enum(["24h", "30d"], { error: "period is 24h or 30d." }).default("24h"),
});
export type OverviewPeriod = z.output<typeof OverviewQuerySchema>["period"];

/** The period's start and its buckets (hours for a day, days for a month), aligned to whole hours or days (UTC). */
export function periodBuckets(period: OverviewPeriod, now = new Date()) {
  const step = period === "24h" ? HOUR : DAY;
  const count = period === "24h" ? 24 : 30;
  const end = Math.floor(now.getTime() / step) * step + step;
  const start = end - count * step;
  return { step, start: new Date(start), buckets: Array.from({ length: count }, (_, i) => new Date(start + i * step)) };
}

/** The period's figures that scan its sessions (the chart, the map, countries, several countries). */
async function periodFigures(db: Db, period: OverviewPeriod, now: Date) {
  const { step, start, buckets } = periodBuckets(period, now);
  const unit = Prisma.raw(period === "24h" ? "'hour'" : "'day'");
  // A country is new when no session came from it in the 30 days before the period.
  const before = new Date(start.getTime() - 30 * DAY);
  const [perBucket, places, countries, multiCountry] = await Promise.all([
    db.$queryRaw<{ bucket: Date; sessions: number }[]>`
      SELECT date_trunc(${unit}, "startedAt", 'UTC') AS bucket, count(*)::int AS sessions
        FROM "VpnSession" WHERE "startedAt" >= ${start} GROUP BY 1`,
    db.$queryRaw<
      {
        countryCode: string;
        country: string | null;
        city: string | null;
        latitude: number;
        longitude: number;
        sessions: number;
      }[]
    >`
      SELECT "countryCode", max(country) AS country, city, avg(latitude) AS latitude, avg(longitude) AS longitude,
             count(*)::int AS sessions
        FROM "VpnSession"
       WHERE "startedAt" >= ${start} AND "locationKind" = 'geo' AND latitude IS NOT NULL
       GROUP BY "countryCode", city ORDER BY sessions DESC LIMIT 300`,
    db.$queryRaw<
      { countryCode: string; country: string | null; sessions: number; identities: number; isNew: boolean }[]
    >`
      SELECT p."countryCode", max(p.country) AS country, count(*)::int AS sessions,
             count(DISTINCT p.identity)::int AS identities,
             NOT EXISTS (SELECT 1 FROM "VpnSession" b WHERE b."countryCode" = p."countryCode" AND b."locationKind" = 'geo'
                           AND b."startedAt" >= ${before} AND b."startedAt" < ${start}) AS "isNew"
        FROM "VpnSession" p
       WHERE p."startedAt" >= ${start} AND p."locationKind" = 'geo' AND p."countryCode" IS NOT NULL
       GROUP BY p."countryCode" ORDER BY sessions DESC`,
    db.$queryRaw<{ identity: string; countries: string[] }[]>`
      SELECT identity, array_agg(DISTINCT "countryCode" ORDER BY "countryCode") AS countries FROM "VpnSession"
       WHERE "startedAt" >= ${start} AND "locationKind" = 'geo' AND "countryCode" IS NOT NULL
       GROUP BY identity HAVING count(DISTINCT "countryCode") > 1
       ORDER BY count(DISTINCT "countryCode") DESC, identity LIMIT 50`,
  ]);
  const counts = new Map(perBucket.map((b) => [b.bucket.getTime(), b.sessions]));
  return {
    period,
    since: start.toISOString(),
    asOf: now.toISOString(),
    activity: buckets.map((b) => ({
      from: b.toISOString(),
      to: new Date(b.getTime() + step).toISOString(),
      sessions: counts.get(b.getTime()) ?? 0,
    })),
    places: places.map((p) => ({
      key: `${p.countryCode}|${p.city ?? ""}`,
      label: locationLabel("geo", p.country, null, p.city),
      latitude: p.latitude,
      longitude: p.longitude,
      sessions: p.sessions,
    })),
    countries,
    multiCountry,
  };
}
type PeriodFigures = Awaited<ReturnType<typeof periodFigures>>;

/** What is true now whatever the period: sessions online, open alerts by severity. */
async function liveFigures(db: Db) {
  const [online, alerts] = await Promise.all([
    db.$queryRaw<{ sessions: number; identities: number }[]>`
      SELECT count(*)::int AS sessions, count(DISTINCT identity)::int AS identities FROM "VpnSession" WHERE status = 'open'`,
    db.alert.groupBy({ by: ["severity"], where: { status: { in: [...OPEN_STATUSES] } }, _count: { _all: true } }),
  ]);
  const bySeverity = new Map(alerts.map((a) => [a.severity, a._count._all]));
  return {
    online: online[0] ?? { sessions: 0, identities: 0 },
    openAlerts: Object.fromEntries(SEVERITIES.map((s) => [s, bySeverity.get(s) ?? 0])) as Record<Severity, number>,
  };
}

/**
 * The month's figures scan its ~170,000 sessions at the benchmark's size (about 2 s): they are kept per process and
 * served while a refresh runs in the background, once they are older than a minute or ten times what the last
 * computation took. The day's figures and the live ones are read on every request.
 */
const REFRESH_AFTER_MS = 60_000;
interface Kept {
  figures: PeriodFigures;
  tookMs: number;
  refreshing: Promise<PeriodFigures> | null;
}
const kept = new WeakMap<Db, Kept>();

async function monthFigures(db: Db, now: Date): Promise<PeriodFigures> {
  const compute = async () => {
    const started = performance.now();
    const figures = await periodFigures(db, "30d", now);
    kept.set(db, { figures, tookMs: performance.now() - started, refreshing: null });
    return figures;
  };
  const entry = kept.get(db);
  if (!entry) return compute();
  const age = now.getTime() - Date.parse(entry.figures.asOf);
  if (age > Math.max(REFRESH_AFTER_MS, 10 * entry.tookMs) && !entry.refreshing) {
    entry.refreshing = compute().catch(() => {
      entry.refreshing = null; // the next request tries again; until then the kept figures stand
      return entry.figures;
    });
  }
  return entry.figures;
}

/**
 * The overview of a period. `keep` (the page): the month's figures may be up to a minute old (`asOf` says when);
 * without it (tests, the API) everything is computed now.
 */
export async function overview(db: Db, period: OverviewPeriod, now = new Date(), opts: { keep?: boolean } = {}) {
  const [figures, live] = await Promise.all([
    period === "30d" && opts.keep ? monthFigures(db, now) : periodFigures(db, period, now),
    liveFigures(db),
  ]);
  return { ...figures, ...live };
}
