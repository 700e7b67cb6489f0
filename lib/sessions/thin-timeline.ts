// The one-time thinning of timeline rows stored before they had to carry information (migration
// 20261130060000_informative_timeline; the rule is the store's, lib/sessions/store.ts): an Interim-Update row is
// kept when it is its session's first row, comes after a gap that would have made the session stale, or changes the
// public IP; the others go. The detector runs it a slice of identities at a time while the sensor is not busy, and
// keeps its place in "MaintenanceJob", so a restart goes on where it stopped.
import type { Queryable } from "../db/pg.ts";

export const THIN_JOB = "thin-timeline";
const IDENTITIES_PER_SLICE = 200;

// Through the (identity, eventTime) index. The gap rule is the sweeper's (closeStaleSessions): 3 × the session's
// interim interval, else $3 hours. Old rows have no assigned IP, so only the public IP is compared.
const THIN_SLICE = `
WITH batch AS (
  SELECT identity FROM "Identity" WHERE identity > $1 ORDER BY identity LIMIT $2
), ordered AS (
  SELECT e.id, e.kind, e."publicIp", e."eventTime", e."sessionId",
         lag(e.id) OVER w AS "prevId",
         lag(e."eventTime") OVER w AS "prevTime",
         lag(e."publicIp") OVER w AS "prevIp"
    FROM "VpnSessionEvent" e
   WHERE e.identity IN (SELECT identity FROM batch)
  WINDOW w AS (PARTITION BY e."sessionId" ORDER BY e."eventTime", e.id)
), gone AS (
  DELETE FROM "VpnSessionEvent" d USING ordered o LEFT JOIN "VpnSession" s ON s.id = o."sessionId"
   WHERE d.id = o.id AND d."eventTime" = o."eventTime" AND o.kind = 'interim' AND o."prevId" IS NOT NULL
     AND (o."publicIp" IS NULL OR o."publicIp" IS NOT DISTINCT FROM o."prevIp")
     AND o."eventTime" - o."prevTime" <= make_interval(secs => COALESCE(3 * s."interimInterval", $3 * 3600))
  RETURNING d.id
)
SELECT (SELECT count(*) FROM gone)::int AS deleted, (SELECT max(identity) FROM batch) AS last`;

/**
 * Thins one slice; returns how many rows went and whether the job is done (every identity seen). The job's row is
 * updated in the same statement's transaction (a slice is redone at worst: thinning twice changes nothing).
 */
export async function thinTimelineSlice(
  db: Queryable,
  staleHours: number,
  identitiesPerSlice = IDENTITIES_PER_SLICE,
): Promise<{ deleted: number; done: boolean }> {
  const { rows: job } = await db.query<{ cursor: string; doneAt: Date | null }>(
    `SELECT cursor, "doneAt" FROM "MaintenanceJob" WHERE name = $1`,
    [THIN_JOB],
  );
  if (!job[0] || job[0].doneAt) return { deleted: 0, done: true };
  const { rows } = await db.query<{ deleted: number; last: string | null }>(THIN_SLICE, [
    job[0].cursor,
    identitiesPerSlice,
    staleHours,
  ]);
  const { deleted, last } = rows[0]!;
  await db.query(
    `UPDATE "MaintenanceJob" SET cursor = COALESCE($2, cursor), "doneAt" = CASE WHEN $2::text IS NULL THEN now() END,
       "updatedAt" = now() WHERE name = $1`,
    [THIN_JOB, last],
  );
  return { deleted, done: last === null };
}
