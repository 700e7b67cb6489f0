import Link from "next/link";
import { requirePagePermission } from "@/lib/auth/page-guard";
import { dbRead } from "@/lib/db/prisma";
import { VpnSessionQuerySchema, listVpnSessions } from "@/lib/sessions/session-list.ts";
import { API_VENDORS } from "@/lib/radius/vendors.ts";
import { locationLabel } from "@/lib/geo/location.ts";
import { CSV_ROW_CAP } from "@/lib/identities/views.ts";
import { FilterSelect } from "@/app/_components/filter-select";
import { LocalDateTimeField } from "@/app/_components/local-date-time-field";
import { LocalTime } from "@/app/_components/local-time";
import { searchParamsRecord } from "@/app/_components/search-params";
import { FilterProblem, orProblem, pageQuery } from "@/app/_components/page-query";
import { IpLink, NetworkOwnerNote } from "@/app/_components/network-owner";
import { RowDetails } from "@/app/_components/row-details";
import { formatDuration } from "@/app/_components/format";

export const metadata = { title: "VPN activity · VPN Sight" };
type Search = Record<string, string | string[] | undefined>;

const TEXT_FILTERS = [
  ["identity", "Identity", "user40 or CONTOSO\\alice"],
  ["country", "Country code", "RU"],
  ["city", "City", "London"],
  ["ip", "Public IP or CIDR", "203.0.113.0/24"],
  ["asn", "ASN", "16509"],
  ["network", "Network owner", "Amazon"],
  ["nas", "NAS", "10.0.0.1"],
] as const;

/** Every VPN session across identities, filtered and paged on the server (the same filters as the API). */
export default async function ActivityPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requirePagePermission("sessions.read");
  const raw = await searchParamsRecord(searchParams);
  const { query, problem: known } = pageQuery(VpnSessionQuerySchema, raw);
  const { result, problem } = await orProblem(
    () => listVpnSessions(dbRead(), query),
    { items: [], nextCursor: null },
    known,
  );
  const filters = new URLSearchParams(
    Object.entries(raw).filter((e): e is [string, string] => Boolean(e[1]) && e[0] !== "cursor" && e[0] !== "format"),
  );
  const withFilters = (extra: Record<string, string>) => {
    const p = new URLSearchParams(filters);
    for (const [k, v] of Object.entries(extra)) p.set(k, v);
    return p.toString();
  };
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">VPN activity</h1>
      <form method="get" className="flex flex-wrap items-end gap-3 text-sm" aria-label="Activity filters">
        <LocalDateTimeField id="v-since" name="since" label="Since" value={raw.since} />
        <LocalDateTimeField id="v-until" name="until" label="Until" value={raw.until} />
        {TEXT_FILTERS.map(([name, label, placeholder]) => (
          <div key={name}>
            <label htmlFor={`v-${name}`} className="label">
              {label}
            </label>
            <input
              id={`v-${name}`}
              name={name}
              defaultValue={raw[name] ?? ""}
              placeholder={placeholder}
              className="input w-40"
            />
          </div>
        ))}
        <FilterSelect
          id="v-vendor"
          name="vendor"
          label="Vendor"
          value={raw.vendor}
          options={API_VENDORS.map((v) => [v, v] as const)}
        />
        <FilterSelect
          id="v-status"
          name="status"
          label="Status"
          value={raw.status}
          options={[
            ["open", "Open"],
            ["closed", "Closed"],
            ["stale", "Stale"],
          ]}
        />
        <FilterSelect
          id="v-hosting"
          name="hosting"
          label="Network kind"
          value={raw.hosting}
          options={[
            ["true", "Hosting providers"],
            ["false", "Not hosting"],
          ]}
        />
        <button type="submit" className="btn-primary">
          Filter
        </button>
        <a href={`/api/v1/vpn-sessions?${withFilters({ format: "csv" })}`} className="btn-secondary" download>
          Export CSV
        </a>
        <span className="text-xs text-slate-500">
          CSV: every filtered session, up to {CSV_ROW_CAP.toLocaleString("en")} rows.
        </span>
      </form>
      {problem ? (
        <FilterProblem problem={problem} clearHref="/activity" />
      ) : result.items.length === 0 ? (
        <div className="card text-sm text-slate-600">
          {filters.size ? "No session matches these filters." : "No VPN session stored yet."}
        </div>
      ) : (
        <div className="card space-y-3">
          <div className="overflow-x-auto">
            <table className="data-table" aria-label="VPN sessions">
              <thead>
                <tr>
                  <th>Started</th>
                  <th>Identity</th>
                  <th className="max-sm:hidden">Public IP</th>
                  <th>Location</th>
                  <th className="max-sm:hidden">NAS</th>
                  <th className="max-sm:hidden">Vendor</th>
                  <th className="max-sm:hidden">Ended</th>
                </tr>
              </thead>
              <tbody>
                {result.items.map((x) => {
                  const place = x.location
                    ? locationLabel("geo", x.location.country, x.location.region, x.location.city)
                    : locationLabel(x.locationKind, null, null, null);
                  const ended =
                    x.status === "open" ? (
                      "still open"
                    ) : (
                      <>
                        <LocalTime iso={x.endedAt ?? x.lastUpdateAt} />
                        {x.durationSeconds !== null ? ` (${formatDuration(x.durationSeconds)})` : ""}
                      </>
                    );
                  return (
                    <tr key={x.id} data-testid="activity-session">
                      <td>
                        <LocalTime iso={x.startedAt} />
                        <RowDetails
                          items={[
                            ["Public IP", <IpLink key="ip" ip={x.publicIp} />],
                            ["NAS", x.nasIp ?? x.nasIdentifier ?? "—"],
                            ["Vendor", x.vendor],
                            ["Ended", ended],
                          ]}
                        />
                      </td>
                      <td className="[overflow-wrap:anywhere]">
                        <Link
                          href={`/identities/${encodeURIComponent(x.identity)}`}
                          className="text-sky-700 hover:underline"
                        >
                          {x.identity}
                        </Link>
                      </td>
                      <td className="font-mono text-xs max-sm:hidden">
                        <IpLink ip={x.publicIp} />
                      </td>
                      <td>
                        {place}
                        <NetworkOwnerNote asn={x.asn} organization={x.asOrganization} hosting={x.hosting} />
                      </td>
                      <td className="max-sm:hidden">{x.nasIp ?? x.nasIdentifier ?? "—"}</td>
                      <td className="max-sm:hidden">{x.vendor}</td>
                      <td className="max-sm:hidden">{ended}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {result.nextCursor && (
            <Link
              href={`/activity?${withFilters({ cursor: result.nextCursor })}`}
              className="text-sm text-sky-700 hover:underline"
            >
              Older sessions →
            </Link>
          )}
        </div>
      )}
    </div>
  );
}
