import { LocalTime } from "@/app/_components/local-time";
import type { SensorView } from "@/lib/radius/sensors.ts";
import type { ReplicationStatus } from "@/lib/db/replication.ts";
import { droppedText } from "./drop-reasons";
import { formatBytes } from "@/app/_components/format";

export function SensorsPanel({
  sensors,
  replication,
}: {
  sensors: SensorView[];
  /** The read replica (DATABASE_READ_URL); null without one. */
  replication: ReplicationStatus | null;
}) {
  return (
    <section className="card space-y-3" aria-labelledby="sensors-heading">
      <h2 id="sensors-heading" className="text-lg font-semibold">
        Sensors
      </h2>
      {replication && (
        <p className="text-sm" data-testid="replication">
          Read replica (the activity pages):{" "}
          {replication.state === "replica" ? (
            replication.bytesBehind === 0 ? (
              <span className="text-green-700">caught up</span>
            ) : (
              <span className={replication.secondsBehind > 60 ? "text-red-700" : undefined}>
                {replication.secondsBehind.toFixed(1)} s behind ({formatBytes(String(replication.bytesBehind))} of WAL
                to replay)
              </span>
            )
          ) : replication.state === "not-a-replica" ? (
            <span className="text-red-700">DATABASE_READ_URL is not a streaming replica</span>
          ) : (
            <span className="text-red-700">unreachable: {replication.error}</span>
          )}
        </p>
      )}
      {sensors.length === 0 ? (
        <p className="text-sm text-slate-600">
          No sensor has reported yet. `npm start` runs one beside the portal; `npm run sensor` runs one alone.
        </p>
      ) : (
        <div className="overflow-x-auto">
          <table className="data-table" aria-label="Sensors">
            <thead>
              <tr>
                <th>Sensor</th>
                <th>State</th>
                <th>Last heartbeat</th>
                <th>Last accepted</th>
                <th>Last dropped</th>
                <th>Accepted</th>
                <th>Status-Server</th>
                <th>Dropped</th>
                <th>Spool</th>
              </tr>
            </thead>
            <tbody>
              {sensors.map((s) => {
                return (
                  <tr key={s.sensorId} data-testid={`sensor-${s.sensorId}`}>
                    <td>
                      {s.sensorId}
                      <div className="text-xs text-slate-500">{s.listening}</div>
                    </td>
                    <td>
                      <span className={s.online ? "text-green-700" : "text-red-700"}>
                        {s.online ? "online" : "not reporting"}
                      </span>
                    </td>
                    <td>
                      <LocalTime iso={s.lastHeartbeat} />
                    </td>
                    <td data-testid="sensor-last-accepted">
                      <LocalTime iso={s.lastPacketAt} />
                    </td>
                    <td data-testid="sensor-last-dropped">
                      <LocalTime iso={s.lastDroppedAt} />
                    </td>
                    <td data-testid="sensor-accepted">{s.accepted}</td>
                    <td data-testid="sensor-status-server">{s.statusServer}</td>
                    <td data-testid="sensor-dropped">{droppedText(s.dropped)}</td>
                    <td>
                      {s.spoolDepth === 0 ? "empty" : `${s.spoolDepth} batches waiting`}
                      {s.setAside > 0 && (
                        <div className="text-xs text-red-700">{s.setAside} set aside (refused.jsonl)</div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
