// When the detector runs the next directory sync (Settings › Identities › Directory: "every N minutes").
import type pg from "pg";
import { SETTINGS_ROW_ID } from "../db/settings-row.ts";

export interface ScheduleFacts {
  enabled: boolean;
  syncIntervalMinutes: number;
  /** When the last sync started (successful or not); null before the first. */
  lastSyncAt: Date | null;
}

/** Due when enabled and never synced, or the interval has passed since the last sync started (a failed one too). */
export function syncDue(facts: ScheduleFacts, now: Date): boolean {
  if (!facts.enabled) return false;
  if (!facts.lastSyncAt || Number.isNaN(facts.lastSyncAt.getTime())) return true;
  return now.getTime() - facts.lastSyncAt.getTime() >= facts.syncIntervalMinutes * 60_000;
}

export async function readScheduleFacts(pool: pg.Pool): Promise<ScheduleFacts> {
  const { rows } = await pool.query<{ enabled: boolean; syncIntervalMinutes: number; at: string | null }>(
    `SELECT enabled, "syncIntervalMinutes", "lastSync"->>'at' AS at FROM "DirectorySettings" WHERE id = $1`,
    [SETTINGS_ROW_ID],
  );
  const row = rows[0];
  return {
    enabled: row?.enabled ?? false,
    syncIntervalMinutes: row?.syncIntervalMinutes ?? 15,
    lastSyncAt: row?.at ? new Date(row.at) : null,
  };
}
