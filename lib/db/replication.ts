// How far the read replica (DATABASE_READ_URL) trails the primary, for the sensors panel: bytes of WAL not replayed
// yet, and since when (the last replayed transaction's time, while behind).
import type { PrismaClient } from "../generated/prisma/client.ts";

export type ReplicationStatus =
  | { state: "replica"; bytesBehind: number; secondsBehind: number }
  | { state: "not-a-replica" }
  | { state: "unreachable"; error: string };

export async function replicationStatus(primary: PrismaClient, replica: PrismaClient): Promise<ReplicationStatus> {
  try {
    const [[p], [r]] = await Promise.all([
      primary.$queryRaw<{ lsn: string }[]>`SELECT pg_current_wal_lsn()::text AS lsn`,
      replica.$queryRaw<{ standby: boolean; replayed: string | null; replayedAt: Date | null; now: Date }[]>`
        SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replayed,
               pg_last_xact_replay_timestamp() AS "replayedAt", now() AS now`,
    ]);
    if (!r!.standby || !r!.replayed) return { state: "not-a-replica" };
    const [diff] = await replica.$queryRaw<{ bytes: number }[]>`
      SELECT GREATEST(0, pg_wal_lsn_diff(${p!.lsn}::pg_lsn, ${r!.replayed}::pg_lsn))::float8 AS bytes`;
    const bytes = diff?.bytes ?? 0;
    const secondsBehind =
      bytes > 0 && r!.replayedAt ? Math.max(0, (r!.now.getTime() - r!.replayedAt.getTime()) / 1000) : 0;
    return { state: "replica", bytesBehind: bytes, secondsBehind };
  } catch (err) {
    return { state: "unreachable", error: (err as Error).message.split("\n")[0]! };
  }
}

/** The read replica's status when DATABASE_READ_URL is set; null without one. */
export async function configuredReplication(
  primary: PrismaClient,
  read: PrismaClient,
): Promise<ReplicationStatus | null> {
  return process.env.DATABASE_READ_URL ? replicationStatus(primary, read) : null;
}
