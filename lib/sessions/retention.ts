import type { Queryable } from "../db/pg.ts";
import { dropTimelinePartitions } from "./partitions.ts";

// RETENTION_DAYS: VPN activity older than this is deleted (0 keeps everything). Alerts, their
// notes, the audit log and the identities' summary rows (first seen, last location) are kept:
// they are small and are the record of what was found. The timeline's months that are wholly
// older go as partitions (detached, then dropped: no row is deleted one by one); the rest (the rows
// of the month the cutoff falls in, and the sessions, which are not partitioned: README, "How
// records stay idempotent") is deleted in slices, which keeps each transaction short, so the
// sensor's writes never wait long behind a purge.

const SLICE = 5_000;

// Timeline rows by (identity, eventTime): the index the profile uses, so each slice costs one
// probe per identity instead of a scan of the whole table.
const DELETE_OLD_EVENTS = `
DELETE FROM "VpnSessionEvent" WHERE id IN (
  SELECT e.id FROM "Identity" i
  CROSS JOIN LATERAL (SELECT id FROM "VpnSessionEvent" WHERE identity = i.identity AND "eventTime" < $1 LIMIT ${SLICE}) e
  LIMIT ${SLICE})`;

// Ended sessions only: a session still open is current activity, however long ago it began.
const DELETE_OLD_SESSIONS = `
DELETE FROM "VpnSession" WHERE "sessionKey" IN (
  SELECT "sessionKey" FROM "VpnSession"
  WHERE "startedAt" < $1 AND status <> 'open' AND COALESCE("endedAt", "lastUpdateAt") < $1
  LIMIT ${SLICE})`;

export interface PurgeResult {
  /** Timeline partitions dropped. */
  partitions: number;
  events: number;
  sessions: number;
}

/**
 * Deletes VPN activity older than `days`, a slice at a time, while `mayContinue()` (the detector
 * stops when the sensor gets busy and picks up the rest next time).
 */
export async function purgeExpiredActivity(
  db: Queryable,
  days: number,
  opts: { now?: Date; mayContinue?: () => boolean } = {},
): Promise<PurgeResult> {
  const cutoff = new Date((opts.now ?? new Date()).getTime() - days * 86_400_000);
  const result: PurgeResult = { partitions: 0, events: 0, sessions: 0 };
  if (opts.mayContinue && !opts.mayContinue()) return result;
  result.partitions = (await dropTimelinePartitions(db, cutoff)).dropped;
  for (const [sql, key] of [
    [DELETE_OLD_EVENTS, "events"],
    [DELETE_OLD_SESSIONS, "sessions"],
  ] as const) {
    for (;;) {
      if (opts.mayContinue && !opts.mayContinue()) return result;
      const deleted = (await db.query(sql, [cutoff])).rowCount ?? 0;
      result[key] += deleted;
      if (deleted < SLICE) break;
    }
  }
  return result;
}
