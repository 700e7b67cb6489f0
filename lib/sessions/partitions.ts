// The timeline's monthly partitions. The functions called here live in migrations 20261201010000_partitioned_timeline
// and 20261201030000_detach_then_drop, owned by the table owner, so that the sensor's role, which owns nothing, may run
// them from the detector.
import type { Queryable } from "../db/pg.ts";

/** This month's and the next months' partitions are made ahead, so records never wait for one. */
export const MONTHS_AHEAD = 2;

export interface TimelinePartition {
  name: string;
  /** null: MINVALUE (the partition that holds everything before the monthly ones). */
  lower: Date | null;
  upper: Date | null;
  isDefault: boolean;
}

/**
 * Creates the missing partitions of this month and the next MONTHS_AHEAD (and of `monthsBack` months before this
 * one: a load of history); returns how many it made.
 */
export async function addTimelinePartitions(db: Queryable, monthsBack = 0): Promise<number> {
  const { rows } = await db.query<{ made: number }>(`SELECT "vpnsight_add_timeline_partitions"($1, $2) AS made`, [
    monthsBack,
    MONTHS_AHEAD,
  ]);
  return rows[0]!.made;
}

/**
 * Drops the partitions whose every row is older than `before`: detached first (a catalog change under the parent's
 * lock), then dropped in a statement of their own, so the sensor's inserts never wait while the files go. A detached
 * partition left by an interruption is dropped by the next call.
 */
export async function dropTimelinePartitions(
  db: Queryable,
  before: Date,
): Promise<{ dropped: number; detachMs: number; dropMs: number }> {
  const started = performance.now();
  const { rows } = await db.query<{ detached: number }>(
    `SELECT "vpnsight_detach_timeline_partitions"($1) AS detached`,
    [before],
  );
  const detached = performance.now();
  await db.query(`SELECT "vpnsight_drop_detached_timeline_partitions"()`);
  return { dropped: rows[0]!.detached, detachMs: detached - started, dropMs: performance.now() - detached };
}

/** The partitions, oldest first, the default one last. */
export async function timelinePartitions(db: Queryable): Promise<TimelinePartition[]> {
  const { rows } = await db.query<TimelinePartition>(
    `SELECT name, lower, upper, is_default AS "isDefault" FROM vpnsight_timeline_partitions()
      ORDER BY is_default, lower NULLS FIRST`,
  );
  return rows;
}
