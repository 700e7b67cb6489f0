import Link from "next/link";
import { LocalTime } from "./local-time";

/** The identities that used an address or a network, with sessions and first/last seen (the pivot pages). */
export function IdentityUsageTable({
  label,
  identities,
}: {
  label: string;
  identities: { identity: string; sessions: number; firstSeen: string; lastSeen: string }[];
}) {
  return (
    <table className="data-table" aria-label={label}>
      <thead>
        <tr>
          <th>Identity</th>
          <th>Sessions</th>
          <th className="max-sm:hidden">First seen</th>
          <th>Last seen</th>
        </tr>
      </thead>
      <tbody>
        {identities.map((i) => (
          <tr key={i.identity}>
            <td className="[overflow-wrap:anywhere]">
              <Link href={`/identities/${encodeURIComponent(i.identity)}`} className="text-sky-700 hover:underline">
                {i.identity}
              </Link>
            </td>
            <td>{i.sessions}</td>
            <td className="max-sm:hidden">
              <LocalTime iso={i.firstSeen} />
            </td>
            <td>
              <LocalTime iso={i.lastSeen} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
