import Link from "next/link";
import { RowDetails } from "@/app/_components/row-details";
import { requirePagePermission } from "@/lib/auth/page-guard";
import { db, dbRead } from "@/lib/db/prisma";
import { IdentityListQuerySchema, listIdentities, type IdentitySort } from "@/lib/identities/views.ts";
import { getDirectorySettings } from "@/lib/directory/settings.ts";
import { AccountBadges } from "@/app/_components/account-badges";
import { LocalTime } from "@/app/_components/local-time";
import { searchParamsRecord } from "@/app/_components/search-params";
import { FilterProblem, orProblem, pageQuery } from "@/app/_components/page-query";

export const metadata = { title: "Identities · VPN Sight" };

type Search = Record<string, string | string[] | undefined>;

export default async function IdentitiesPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requirePagePermission("identities.read");
  const raw = await searchParamsRecord(searchParams);
  const parsed = pageQuery(IdentityListQuerySchema, raw);
  const query = parsed.query;
  const { result, problem } = await orProblem(
    () => listIdentities(dbRead(), query),
    { items: [], total: 0, page: 1, pageSize: query.pageSize },
    parsed.problem,
  );
  // The directory's columns and filter only where a directory is configured.
  const directory = (await getDirectorySettings(db())).enabled || Boolean(query.account);
  const pages = Math.max(1, Math.ceil(result.total / query.pageSize));
  const href = (patch: Record<string, string | number | undefined>) => {
    const params = new URLSearchParams();
    const merged = {
      q: query.q,
      online: query.online ? "1" : undefined,
      account: query.account,
      sort: query.sort,
      dir: query.dir,
      page: String(query.page),
      ...patch,
    };
    for (const [k, v] of Object.entries(merged)) if (v !== undefined && v !== "") params.set(k, String(v));
    return `/identities?${params}`;
  };
  const sortLink = (sort: IdentitySort, label: string) => {
    const active = query.sort === sort;
    const dir = active && query.dir === "desc" ? "asc" : "desc";
    return (
      <Link
        href={href({ sort, dir, page: 1 })}
        aria-sort={active ? (query.dir === "asc" ? "ascending" : "descending") : undefined}
        className="hover:underline"
      >
        {label}
        {active ? (query.dir === "asc" ? " ▲" : " ▼") : ""}
      </Link>
    );
  };

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h1 className="text-xl font-semibold">{query.online ? "Online now" : "Identities"}</h1>
        <form method="get" className="flex flex-wrap items-center gap-2" role="search">
          <label htmlFor="q" className="sr-only">
            Search identities
          </label>
          <input
            id="q"
            name="q"
            defaultValue={query.q ?? raw.q ?? ""}
            placeholder="UPN, alias or DOMAIN\user"
            className="input w-64"
          />
          {directory && (
            <>
              <label htmlFor="account" className="sr-only">
                Directory account
              </label>
              <select id="account" name="account" defaultValue={query.account ?? ""} className="input w-auto">
                <option value="">All accounts</option>
                <option value="sensitive">Sensitive</option>
                <option value="disabled-or-expired">Disabled or expired</option>
                <option value="not-in-directory">Not in directory</option>
              </select>
            </>
          )}
          <label className="flex items-center gap-1 text-sm">
            <input type="checkbox" name="online" value="1" defaultChecked={query.online} /> Online now
          </label>
          <button type="submit" className="btn-primary">
            Search
          </button>
        </form>
      </div>
      {problem ? (
        <FilterProblem problem={problem} clearHref="/identities" />
      ) : result.total === 0 ? (
        <div className="card text-sm text-slate-600">
          {query.q || query.online || query.account ? (
            <p>No identity matches.</p>
          ) : (
            <>
              <p className="font-medium text-slate-800">No VPN activity yet.</p>
              <p className="mt-1">
                Identities appear here once your VPN servers send RADIUS accounting to VPN Sight. Turn it on in{" "}
                <Link href="/settings/identities/vpn" className="text-sky-700 underline">
                  Settings › Identities › VPN
                </Link>
                , or load demo data with <code>npm run seed:demo</code>.
              </p>
            </>
          )}
        </div>
      ) : (
        <div className="card overflow-x-auto">
          <table className="data-table" aria-label="Identities">
            <thead>
              <tr>
                <th>{sortLink("identity", "Identity")}</th>
                {directory && (
                  <>
                    <th className="max-sm:hidden">Name</th>
                    <th className="max-sm:hidden">Department</th>
                  </>
                )}
                <th>{sortLink("lastSeen", "Last VPN connection")}</th>
                <th className="max-sm:hidden">Last location</th>
                <th className="max-sm:hidden">{sortLink("sessions30d", "Sessions (30 d)")}</th>
                <th className="max-sm:hidden">{sortLink("locations30d", "Locations (30 d)")}</th>
                <th>Online now</th>
              </tr>
            </thead>
            <tbody>
              {result.items.map((i) => (
                <tr key={i.identity}>
                  <td>
                    <Link
                      href={`/identities/${encodeURIComponent(i.identity)}`}
                      className="text-sky-700 hover:underline"
                    >
                      {i.identity}
                    </Link>
                    {directory && <AccountBadges account={i} />}
                    <RowDetails
                      items={[
                        ...(directory
                          ? ([
                              ["Name", i.displayName ?? "—"],
                              ["Department", i.department ?? "—"],
                            ] as [string, string][])
                          : []),
                        ["Last location", i.lastLocation?.label ?? "—"],
                        ["Sessions (30 d)", i.sessions30d],
                        ["Locations (30 d)", i.locations30d],
                      ]}
                    />
                  </td>
                  {directory && (
                    <>
                      <td className="max-sm:hidden">{i.displayName ?? "—"}</td>
                      <td className="max-sm:hidden">{i.department ?? "—"}</td>
                    </>
                  )}
                  <td>
                    <LocalTime iso={i.lastSeen} />
                  </td>
                  <td className="max-sm:hidden">{i.lastLocation?.label ?? "—"}</td>
                  <td className="max-sm:hidden">{i.sessions30d}</td>
                  <td className="max-sm:hidden">{i.locations30d}</td>
                  <td>{i.onlineSessions > 0 ? <span className="text-green-700">● {i.onlineSessions}</span> : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav aria-label="Pages" className="mt-3 flex items-center gap-3 text-sm">
            <span>
              {result.total} {result.total === 1 ? "identity" : "identities"} · page {query.page} of {pages}
            </span>
            {query.page > 1 && (
              <Link className="text-sky-700 underline" href={href({ page: query.page - 1 })}>
                Previous
              </Link>
            )}
            {query.page < pages && (
              <Link className="text-sky-700 underline" href={href({ page: query.page + 1 })}>
                Next
              </Link>
            )}
          </nav>
        </div>
      )}
    </div>
  );
}
