import type pg from "pg";
import type { RadsecStatus } from "./radsec-service.ts";

export interface HeartbeatData {
  sensorId: string;
  startedAt: Date;
  lastAcceptedAt: Date | null;
  lastDroppedAt: Date | null;
  accepted: number;
  dropped: Record<string, number>;
  spoolDepth: number;
  listening: string;
  statusServer: number;
  radsec: RadsecStatus | null;
  spoolSince: Date | null;
  setAside: number;
  addresses: string[];
}

/** Every 10 s: this sensor's counters, for the sensors panel of the VPN settings page and the health checks. */
export async function writeHeartbeat(pool: pg.Pool, h: HeartbeatData): Promise<void> {
  await pool.query(
    `INSERT INTO "SensorStatus" ("sensorId", "lastHeartbeat", "lastPacketAt", "startedAt", accepted, dropped, "spoolDepth", listening, "statusServer", radsec, "lastDroppedAt", "spoolSince", "setAside", addresses)
     VALUES ($1, now(), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     ON CONFLICT ("sensorId") DO UPDATE SET "lastHeartbeat" = now(), "lastPacketAt" = EXCLUDED."lastPacketAt",
       "startedAt" = EXCLUDED."startedAt", accepted = EXCLUDED.accepted, dropped = EXCLUDED.dropped,
       "spoolDepth" = EXCLUDED."spoolDepth", listening = EXCLUDED.listening, "statusServer" = EXCLUDED."statusServer",
       radsec = EXCLUDED.radsec, "lastDroppedAt" = EXCLUDED."lastDroppedAt", "spoolSince" = EXCLUDED."spoolSince",
       "setAside" = EXCLUDED."setAside", addresses = EXCLUDED.addresses`,
    [
      h.sensorId,
      h.lastAcceptedAt,
      h.startedAt,
      h.accepted,
      JSON.stringify(h.dropped),
      h.spoolDepth,
      h.listening,
      h.statusServer,
      h.radsec && JSON.stringify(h.radsec),
      h.lastDroppedAt,
      h.spoolSince,
      h.setAside,
      h.addresses,
    ],
  );
}
