import { LocalTime } from "@/app/_components/local-time";
import type { NasSourceView } from "@/lib/health/nas-sources.ts";
import { droppedText } from "./drop-reasons";
import { VENDOR_LABELS, type VendorId } from "@/lib/radius/vendors.ts";

/** Every source seen in 7 days: which device is misconfigured, and why its packets are dropped. */
export function NasPanel({ sources }: { sources: NasSourceView[] }) {
  return (
    <section className="card space-y-3" aria-labelledby="nas-heading">
      <h2 id="nas-heading" className="text-lg font-semibold">
        RADIUS sources, last 7 days
      </h2>
      {sources.length === 0 ? (
        <p className="text-sm text-slate-600">No RADIUS packet has reached a sensor in the last 7 days.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="data-table" aria-label="RADIUS sources">
            <thead>
              <tr>
                <th>Source</th>
                <th>RADIUS client</th>
                <th>Vendor detected</th>
                <th>Accepted</th>
                <th>Dropped</th>
                <th>Last packet</th>
                <th>Last accepted</th>
              </tr>
            </thead>
            <tbody>
              {sources.map((s) => {
                const dropped = droppedText(s.dropped);
                return (
                  <tr key={s.source} data-testid={`nas-${s.source}`}>
                    <td className="font-mono text-xs">{s.source}</td>
                    <td>{s.client ?? <span className="text-slate-500">not a client</span>}</td>
                    <td>{s.vendor ? (VENDOR_LABELS[s.vendor as VendorId] ?? s.vendor) : "—"}</td>
                    <td data-testid="nas-accepted">
                      {s.accepted.toLocaleString("en")}
                      {s.statusServer > 0 && (
                        <div className="text-xs text-slate-500">+ {s.statusServer} Status-Server</div>
                      )}
                    </td>
                    <td data-testid="nas-dropped" className={dropped === "0" ? undefined : "text-red-700"}>
                      {dropped}
                    </td>
                    <td>
                      <LocalTime iso={s.lastPacketAt} />
                    </td>
                    <td>
                      <LocalTime iso={s.lastAcceptedAt} />
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
