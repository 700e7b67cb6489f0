import type { Db } from "../db/prisma.ts";
import type { SensorRadsec } from "./radsec-settings.ts";

/** A sensor writes its heartbeat this often (sensor/main.ts); three missed ones make it stale. */
export const HEARTBEAT_INTERVAL_MS = 10_000;
export const SENSOR_STALE_AFTER_MS = 3 * HEARTBEAT_INTERVAL_MS;

export interface SensorView {
  sensorId: string;
  listening: string;
  lastHeartbeat: Date;
  /** The last request answered; the last one dropped. */
  lastPacketAt: Date | null;
  lastDroppedAt: Date | null;
  startedAt: Date;
  accepted: string;
  dropped: Record<string, number>;
  spoolDepth: number;
  /** Status-Server probes (RFC 5997) answered since the sensor started. */
  statusServer: string;
  /** Its RadSec listener, as it reported it (null: RADSEC_PORT=0). */
  radsec: (SensorRadsec & { certificatePem?: string }) | null;
  /** The host's addresses the sensor listens on (what a NAS is configured to send to). */
  addresses: string[];
  /** Answered records the database refused, in spool/refused.jsonl. */
  setAside: number;
  /** A heartbeat within SENSOR_STALE_AFTER_MS. */
  online: boolean;
}

export async function listSensors(db: Db, now = Date.now()): Promise<SensorView[]> {
  const rows = await db.sensorStatus.findMany({ orderBy: { sensorId: "asc" } });
  return rows.map((r) => ({
    sensorId: r.sensorId,
    listening: r.listening,
    lastHeartbeat: r.lastHeartbeat,
    lastPacketAt: r.lastPacketAt,
    lastDroppedAt: r.lastDroppedAt,
    startedAt: r.startedAt,
    accepted: r.accepted.toString(),
    dropped: (r.dropped ?? {}) as Record<string, number>,
    spoolDepth: r.spoolDepth,
    statusServer: r.statusServer.toString(),
    radsec: (r.radsec ?? null) as SensorView["radsec"],
    addresses: r.addresses,
    setAside: r.setAside,
    online: now - r.lastHeartbeat.getTime() < SENSOR_STALE_AFTER_MS,
  }));
}
