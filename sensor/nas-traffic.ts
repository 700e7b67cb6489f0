import type pg from "pg";

/** Distinct (source, outcome) pairs kept between two flushes; forged sources beyond it are counted as "other". */
const MAX_KEYS = 5000;
export const OTHER_SOURCES = "other";

interface Tally {
  source: string;
  outcome: string;
  count: number;
  lastAt: Date;
  vendor: string | null;
}

/**
 * Requests by source address and outcome ("accepted", "status_server" or a drop reason) since the last flush. The
 * heartbeat adds them to NasTraffic: the NAS table says which device is misconfigured, and the health checks open
 * an ingestion failure for a NAS sending with a wrong secret.
 */
export class NasTrafficCounter {
  private tallies = new Map<string, Tally>();

  record(source: string, outcome: string, at = new Date(), vendor: string | null = null): void {
    let key = `${source}\t${outcome}`;
    if (!this.tallies.has(key) && this.tallies.size >= MAX_KEYS) {
      source = OTHER_SOURCES;
      key = `${source}\t${outcome}`;
    }
    const tally = this.tallies.get(key);
    if (tally) {
      tally.count += 1;
      tally.lastAt = at;
      tally.vendor = vendor ?? tally.vendor;
    } else this.tallies.set(key, { source, outcome, count: 1, lastAt: at, vendor });
  }

  /** Adds the counts to NasTraffic (per UTC day); kept for the next flush when the database cannot take them. */
  async flush(pool: pg.Pool, sensorId: string): Promise<void> {
    if (this.tallies.size === 0) return;
    const taken = [...this.tallies.values()];
    this.tallies = new Map();
    try {
      await pool.query(
        `INSERT INTO "NasTraffic" (day, "sensorId", source, outcome, count, "lastAt", vendor)
         SELECT (t.at AT TIME ZONE 'UTC')::date, $1, t.source, t.outcome, t.n, t.at, t.vendor
         FROM unnest($2::text[], $3::text[], $4::bigint[], $5::timestamptz[], $6::text[]) AS t(source, outcome, n, at, vendor)
         ON CONFLICT (day, "sensorId", source, outcome) DO UPDATE SET count = "NasTraffic".count + EXCLUDED.count,
           "lastAt" = greatest("NasTraffic"."lastAt", EXCLUDED."lastAt"),
           vendor = COALESCE(EXCLUDED.vendor, "NasTraffic".vendor)`,
        [
          sensorId,
          taken.map((t) => t.source),
          taken.map((t) => t.outcome),
          taken.map((t) => t.count),
          taken.map((t) => t.lastAt),
          taken.map((t) => t.vendor),
        ],
      );
    } catch (err) {
      for (const t of taken) {
        const key = `${t.source}\t${t.outcome}`;
        const now = this.tallies.get(key);
        if (now) {
          now.count += t.count;
          if (t.lastAt > now.lastAt) now.lastAt = t.lastAt;
          now.vendor ??= t.vendor;
        } else this.tallies.set(key, t);
      }
      throw err;
    }
  }
}
