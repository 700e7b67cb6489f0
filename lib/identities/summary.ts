import { OPEN_STATUSES } from "../alerts/status.ts";
import type { Db } from "../db/prisma.ts";
import { locationLabel } from "../geo/location.ts";
import { DEFAULT_DETECTION_SETTINGS, type DetectionSettings } from "../alerts/detections.ts";
import { SEVERITIES, type Severity } from "../alerts/severity.ts";

const DAY = 86_400_000;

/**
 * The profile's header: open alerts by severity, the usual countries (the detector's baseline now: the window before
 * the last day, as lib/alerts/detections.ts baselineOf reads it) and the last connection.
 */
export async function identitySummary(
  db: Db,
  identity: string,
  settings: DetectionSettings = DEFAULT_DETECTION_SETTINGS,
  now = new Date(),
) {
  const [open, usual, last] = await Promise.all([
    db.alert.groupBy({
      by: ["severity"],
      where: { identity, status: { in: [...OPEN_STATUSES] } },
      _count: { _all: true },
    }),
    db.$queryRaw<{ countryCode: string; country: string | null; sessions: number }[]>`
      SELECT "countryCode", max(country) AS country, count(*)::int AS sessions FROM "VpnSession"
       WHERE identity = ${identity} AND "locationKind" = 'geo' AND "countryCode" IS NOT NULL
         AND "startedAt" >= ${new Date(now.getTime() - settings.windowDays * DAY)}
         AND "startedAt" < ${new Date(now.getTime() - DAY)}
       GROUP BY 1 ORDER BY 3 DESC, 1`,
    db.vpnSession.findFirst({ where: { identity }, orderBy: { startedAt: "desc" } }),
  ]);
  const bySeverity = new Map(open.map((o) => [o.severity, o._count._all]));
  return {
    openAlerts: Object.fromEntries(SEVERITIES.map((s) => [s, bySeverity.get(s) ?? 0])) as Record<Severity, number>,
    usualCountries: usual,
    windowDays: settings.windowDays,
    lastConnection: last && {
      startedAt: last.startedAt.toISOString(),
      open: last.status === "open",
      publicIp: last.publicIp,
      location: locationLabel(last.locationKind, last.country, last.region, last.city),
    },
  };
}
