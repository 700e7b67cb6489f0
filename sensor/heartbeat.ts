import type pg from "pg";

export interface HeartbeatData {
  sensorId: string;
  startedAt: Date;
  lastPacketAt: Date | null;
  accepted: number;
  dropped: Record<string, number>;
  spoolDepth: number;
  listening: string;
}

/** Every 10 s: this sensor's counters, for the sensors panel of the VPN settings page. */
export async function writeHeartbeat(pool: pg.Pool, h: HeartbeatData): Promise<void> {
  await pool.query(
    `INSERT INTO "SensorStatus" ("sensorId", "lastHeartbeat", "lastPacketAt", "startedAt", accepted, dropped, "spoolDepth", listening)
     VALUES ($1, now(), $2, $3, $4, $5, $6, $7)
     ON CONFLICT ("sensorId") DO UPDATE SET "lastHeartbeat" = now(), "lastPacketAt" = EXCLUDED."lastPacketAt",
       "startedAt" = EXCLUDED."startedAt", accepted = EXCLUDED.accepted, dropped = EXCLUDED.dropped,
       "spoolDepth" = EXCLUDED."spoolDepth", listening = EXCLUDED.listening`,
    [h.sensorId, h.lastPacketAt, h.startedAt, h.accepted, JSON.stringify(h.dropped), h.spoolDepth, h.listening],
  );
}
