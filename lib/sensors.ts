import type { Db } from "./db/prisma.ts";

export interface SensorView {
  sensorId: string;
  listening: string;
  lastHeartbeat: Date;
  lastPacketAt: Date | null;
  startedAt: Date;
  accepted: string;
  dropped: Record<string, number>;
  spoolDepth: number;
  /** A sensor writes a heartbeat every 10 s; three missed ones make it stale. */
  online: boolean;
}

export async function listSensors(db: Db, now = Date.now()): Promise<SensorView[]> {
  const rows = await db.sensorStatus.findMany({ orderBy: { sensorId: "asc" } });
  return rows.map((r) => ({
    sensorId: r.sensorId,
    listening: r.listening,
    lastHeartbeat: r.lastHeartbeat,
    lastPacketAt: r.lastPacketAt,
    startedAt: r.startedAt,
    accepted: r.accepted.toString(),
    dropped: (r.dropped ?? {}) as Record<string, number>,
    spoolDepth: r.spoolDepth,
    online: now - r.lastHeartbeat.getTime() < 30_000,
  }));
}
