import Link from "next/link";
import { notFound, permanentRedirect } from "next/navigation";
import { requirePagePermission } from "@/lib/auth/page-guard";
import { db, dbRead } from "@/lib/db/prisma";
import { redirectedIdentity } from "@/lib/identities/reattribute.ts";
import { getDirectorySettings } from "@/lib/directory/settings.ts";
import {
  ACTIVITY_TYPES,
  ActivitiesQuerySchema,
  CSV_ROW_CAP,
  activityFilterOptions,
  getIdentityProfile,
  identityLocations,
  LOCATION_RANGES,
  locationDays,
} from "@/lib/identities/views.ts";
import { identityPageParam } from "@/lib/api/params";
import { STATUS_LABELS, identityLearning, listAlerts } from "@/lib/alerts/triage.ts";
import {
  BASELINE_RULES,
  DIRECTORY_RULES,
  RULES,
  detectionSettingsFromEnv,
  type RuleId,
} from "@/lib/alerts/detections.ts";
import { LocalTime } from "@/app/_components/local-time";
import { formatBytes, formatDuration } from "@/app/_components/format";
import { WorldMap } from "@/app/_components/world-map";
import { searchParamsRecord } from "@/app/_components/search-params";
import { FilterSelect } from "@/app/_components/filter-select";
import { Breadcrumb } from "@/app/_components/breadcrumb";
import { RowDetails } from "@/app/_components/row-details";
import { IpLink, NetworkOwnerNote } from "@/app/_components/network-owner";
import { FilterProblem, orProblem, pageQuery } from "@/app/_components/page-query";
import { readEvidence } from "@/lib/alerts/evidence.ts";
import { SEVERITIES } from "@/lib/alerts/severity.ts";
import { identitySummary } from "@/lib/identities/summary.ts";
import { identitySessionTimeline } from "@/lib/identities/session-timeline.ts";
import { sharedIps } from "@/lib/sessions/ip-usage.ts";
import { wholeNumber } from "@/lib/api/params.ts";

type Search = Record<string, string | string[] | undefined>;
const RANGES = LOCATION_RANGES;
// The page's range drives both its locations and its timeline (the activities API takes any number of days). 25
// sessions a page ("Older sessions →" for more): each carries its records and times, and 50 made the 180-day page
// ~350 KB and over its 150 ms.
const ProfileQuerySchema = ActivitiesQuerySchema.extend({
  days: locationDays,
  limit: wholeNumber("limit", 1, 1000).default(25),
});
const NO_SESSIONS: Awaited<ReturnType<typeof identitySessionTimeline>> = { items: [], nextCursor: null };

/** The tab names the identity (the page itself checks the parameter and the viewer's permission). */
export async function generateMetadata({ params }: { params: Promise<{ identity: string }> }) {
  try {
    return { title: `${identityPageParam(await params)} · VPN Sight` };
  } catch {
    return { title: "Identity · VPN Sight" };
  }
}

export default async function IdentityProfilePage({
  params,
  searchParams,
}: {
  params: Promise<{ identity: string }>;
  searchParams: Promise<Search>;
}) {
  await requirePagePermission("identities.read");
  let identity: string;
  try {
    identity = identityPageParam(await params);
  } catch {
    notFound();
  }
  const raw = await searchParamsRecord(searchParams);
  const { query, problem: filterProblem } = pageQuery(ProfileQuerySchema, raw);
  const days = query.days;
  const settings = detectionSettingsFromEnv();
  const profile = await getIdentityProfile(db(), identity);
  if (!profile) {
    // Merged into another identity: its old address (and links already forwarded) lead there.
    const to = await redirectedIdentity(db(), identity);
    if (to) permanentRedirect(`/identities/${encodeURIComponent(to)}${raw.days ? `?days=${query.days}` : ""}`);
    notFound();
  }
  const directoryOn = (await getDirectorySettings(db())).enabled;
  const account = profile.account;
  const [locations, { result: timeline, problem }, options, alerts, learning, summary] = await Promise.all([
    identityLocations(dbRead(), identity, days),
    orProblem(() => identitySessionTimeline(dbRead(), identity, query), NO_SESSIONS, filterProblem),
    activityFilterOptions(dbRead(), identity),
    listAlerts(db(), { limit: 50 }, { exactIdentity: identity, withinDays: days }),
    identityLearning(db(), identity, settings),
    identitySummary(db(), identity, settings),
  ]);
  const newPlaces = locations.filter((l) => l.familiarity === "new");
  const shared = await sharedIps(dbRead(), identity, [...new Set(locations.flatMap((l) => l.publicIps))]);
  const openTotal = Object.values(summary.openAlerts).reduce((a, b) => a + b, 0);
  const alertDays = new Set(alerts.items.map((a) => a.occurredAt.slice(0, 10)));
  const base = `/identities/${encodeURIComponent(identity)}`;
  const filterParams = new URLSearchParams(
    Object.entries({ days: String(days), location: query.location, nas: query.nas }).filter(
      (e): e is [string, string] => Boolean(e[1]),
    ),
  );
  const markers = locations
    .filter((l) => l.kind === "geo" && l.latitude !== null && l.longitude !== null)
    .map((l) => ({ key: l.key, label: l.label, latitude: l.latitude!, longitude: l.longitude!, sessions: l.sessions }));

  return (
    <div className="space-y-6">
      <Breadcrumb root={{ href: "/identities", label: "Identities" }} current={identity} />
      <section className="card space-y-2" aria-labelledby="identity-heading">
        <h1 id="identity-heading" className="text-xl font-semibold break-all">
          {profile.identity}
        </h1>
        {profile.sensitive && (
          <p
            data-testid="sensitive"
            className="inline-block rounded bg-red-100 px-2 py-0.5 text-sm font-semibold text-red-800"
          >
            Sensitive — {profile.sensitiveReason}
          </p>
        )}
        <dl className="grid grid-cols-1 gap-1 text-sm sm:grid-cols-[10rem_1fr]">
          {(directoryOn || account) && (
            <>
              <dt className="text-slate-600">Directory</dt>
              <dd data-testid="directory-account">
                {profile.inDirectory
                  ? [profile.displayName, profile.title, profile.department, account?.company]
                      .filter(Boolean)
                      .join(" · ") || "in directory"
                  : account?.goneAt
                    ? "removed from the directory"
                    : "not in directory"}
                {account?.goneAt ? (
                  <>
                    {" "}
                    on <LocalTime iso={account.goneAt} /> (its VPN history stays)
                  </>
                ) : null}
              </dd>
            </>
          )}
          {profile.accountState && (
            <>
              <dt className="text-slate-600">Account</dt>
              <dd
                data-testid="account-state"
                className={
                  profile.accountState === "enabled" && !account?.passwordExpired ? "" : "font-semibold text-red-700"
                }
              >
                {profile.accountState}
                {account?.passwordExpired ? ", password expired" : ""}
                {account?.pwdLastSet ? (
                  <span className="font-normal text-slate-600">
                    {" "}
                    · password last set <LocalTime iso={account.pwdLastSet} />
                  </span>
                ) : null}
              </dd>
            </>
          )}
          {account && (
            <>
              <dt className="text-slate-600">Account names</dt>
              <dd data-testid="account-names">
                {[account.userPrincipalName, account.samAccountName, ...account.alternateUpns]
                  .filter(Boolean)
                  .join(", ")}
              </dd>
            </>
          )}
          {account?.manager && (
            <>
              <dt className="text-slate-600">Manager</dt>
              <dd data-testid="manager">
                {account.manager.identity ? (
                  <Link
                    className="text-sky-700 underline"
                    href={`/identities/${encodeURIComponent(account.manager.identity)}`}
                  >
                    {account.manager.displayName ?? account.manager.identity}
                  </Link>
                ) : (
                  (account.manager.displayName ?? account.manager.dn)
                )}
              </dd>
            </>
          )}
          <dt className="text-slate-600">Open alerts</dt>
          <dd data-testid="open-alerts">
            {openTotal === 0 ? (
              "none"
            ) : (
              <Link href={`/alerts?identity=${encodeURIComponent(identity)}`} className="text-sky-700 hover:underline">
                {[...SEVERITIES]
                  .reverse()
                  .filter((sv) => summary.openAlerts[sv] > 0)
                  .map((sv) => `${summary.openAlerts[sv]} ${sv}`)
                  .join(", ")}
              </Link>
            )}
          </dd>
          <dt className="text-slate-600">Usual countries</dt>
          <dd data-testid="usual-countries">
            {summary.usualCountries.length
              ? summary.usualCountries.map((c) => `${c.country ?? c.countryCode} (${c.sessions})`).join(", ")
              : `none yet (no located session in the ${summary.windowDays} days before yesterday)`}
          </dd>
          <dt className="text-slate-600">New in {days} days</dt>
          <dd data-testid="new-places">
            {newPlaces.length ? newPlaces.map((l) => l.label).join(", ") : "no new place"}
          </dd>
          {summary.lastConnection && (
            <>
              <dt className="text-slate-600">Last connection</dt>
              <dd data-testid="last-connection">
                <LocalTime iso={summary.lastConnection.startedAt} /> from {summary.lastConnection.location}
                {summary.lastConnection.publicIp ? ` (${summary.lastConnection.publicIp})` : ""}
                {summary.lastConnection.open ? ", still open" : ""}
              </dd>
            </>
          )}
          <dt className="text-slate-600">Online now</dt>
          <dd data-testid="online-now">
            {profile.onlineSessions > 0
              ? `${profile.onlineSessions} open session${profile.onlineSessions === 1 ? "" : "s"}`
              : "No"}
          </dd>
          <dt className="text-slate-600">Last seen</dt>
          <dd>
            <LocalTime iso={profile.lastSeen} />
          </dd>
          <dt className="text-slate-600">First seen</dt>
          <dd>
            <LocalTime iso={profile.firstSeen} />
          </dd>
          <dt className="text-slate-600">Names as sent</dt>
          <dd data-testid="names-as-sent">{profile.namesAsSent.join(", ") || "—"}</dd>
          <dt className="text-slate-600">Detections</dt>
          <dd data-testid="learning">
            {learning?.learning ? (
              <>
                {BASELINE_RULES.map((r) => RULES[r].title).join(", ")}: learning until{" "}
                {learning.until > new Date() ? (
                  <LocalTime iso={learning.until} dateOnly />
                ) : (
                  `it has ${settings.learningMinSessions} connections in ${settings.windowDays} days`
                )}
                . Active:{" "}
                {(Object.keys(RULES) as RuleId[])
                  .filter((r) => !BASELINE_RULES.includes(r) && (directoryOn || !DIRECTORY_RULES.includes(r)))
                  .map((r) => RULES[r].title)
                  .join(", ")}
                .
              </>
            ) : (
              "all rules active"
            )}
          </dd>
          {profile.aliases.length > 0 && (
            <>
              <dt className="text-slate-600">Aliases</dt>
              <dd>{profile.aliases.join(", ")}</dd>
            </>
          )}
        </dl>
      </section>

      <section className="card space-y-3" aria-labelledby="locations-heading">
        <div className="flex flex-wrap items-center justify-between gap-2">
          <h2 id="locations-heading" className="text-lg font-semibold">
            VPN locations
          </h2>
          <nav aria-label="Locations range" className="flex gap-1 text-sm">
            {RANGES.map((d) => (
              <Link
                key={d}
                href={`${base}?days=${d}`}
                aria-current={d === days ? "page" : undefined}
                className={`rounded px-2 py-1 ${d === days ? "bg-slate-800 text-white" : "border border-slate-300"}`}
              >
                {d} days
              </Link>
            ))}
          </nav>
        </div>
        {markers.length > 0 ? (
          <WorldMap markers={markers} />
        ) : (
          <p
            className="rounded border border-dashed border-slate-300 p-4 text-sm text-slate-600"
            data-testid="map-empty"
          >
            {locations.length === 0
              ? `No map: no VPN connection in the last ${days} days.`
              : "No map: the sessions of this range came from private networks or from addresses without a location."}
          </p>
        )}
        {locations.length === 0 ? (
          <p className="text-sm text-slate-600">No VPN connection in the last {days} days.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="data-table" aria-label="VPN locations">
              <thead>
                <tr>
                  <th>Location</th>
                  <th>Usual or new</th>
                  <th className="max-sm:hidden">Country</th>
                  <th className="max-sm:hidden">Region</th>
                  <th className="max-sm:hidden">City</th>
                  <th className="max-sm:hidden">First seen</th>
                  <th className="max-sm:hidden">Last seen</th>
                  <th>Sessions</th>
                  <th className="max-sm:hidden">Public IPs</th>
                </tr>
              </thead>
              <tbody>
                {locations.map((l) => (
                  <tr key={l.key} data-testid="location-row">
                    <td>
                      {l.label}
                      <RowDetails
                        items={[
                          ["First seen", <LocalTime key="first" iso={l.firstSeen} />],
                          ["Last seen", <LocalTime key="last" iso={l.lastSeen} />],
                          ["Public IPs", l.publicIps.join(", ") || "—"],
                        ]}
                      />
                    </td>
                    <td data-testid="familiarity">
                      {l.familiarity === "new" ? (
                        <span className="rounded bg-amber-100 px-1.5 py-0.5 text-xs font-semibold text-amber-800">
                          new
                        </span>
                      ) : (
                        <span className="text-xs text-slate-600">usual</span>
                      )}
                    </td>
                    <td className="max-sm:hidden">{l.country ?? "—"}</td>
                    <td className="max-sm:hidden">{l.region ?? "—"}</td>
                    <td className="max-sm:hidden">{l.city ?? "—"}</td>
                    <td className="max-sm:hidden">
                      <LocalTime iso={l.firstSeen} />
                    </td>
                    <td className="max-sm:hidden">
                      <LocalTime iso={l.lastSeen} />
                    </td>
                    <td>{l.sessions}</td>
                    <td className="font-mono text-xs max-sm:hidden">
                      {l.publicIps.length === 0
                        ? "—"
                        : l.publicIps.map((ip) => (
                            <span key={ip} className="block">
                              <IpLink ip={ip} />
                              {shared.get(ip) ? (
                                <span className="ml-1 font-sans text-amber-800" data-testid="shared-ip">
                                  also used by {shared.get(ip)} other identit{shared.get(ip) === 1 ? "y" : "ies"}
                                </span>
                              ) : null}
                            </span>
                          ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <p className="text-xs text-slate-500">
          <a href="https://db-ip.com" className="underline" rel="noopener noreferrer">
            IP geolocation by DB-IP
          </a>
        </p>
      </section>

      <section className="card space-y-2" aria-labelledby="alerts-heading">
        <h2 id="alerts-heading" className="text-lg font-semibold">
          Alerts in the last {days} days
        </h2>
        {alerts.items.length === 0 ? (
          <p className="text-sm text-slate-600">No alert in the last {days} days.</p>
        ) : (
          <ul className="space-y-1 text-sm">
            {alerts.items.map((a) => (
              <li key={a.id}>
                <Link href={`/alerts/${a.id}`} className="text-sky-700 underline">
                  {a.title}
                </Link>{" "}
                ({a.severity}, {STATUS_LABELS[a.status]}) — <LocalTime iso={a.occurredAt} />:{" "}
                {readEvidence(a.rule, a.evidence).summary}
              </li>
            ))}
          </ul>
        )}
        {alerts.nextCursor ? (
          <Link
            href={`/alerts?identity=${encodeURIComponent(identity)}`}
            className="text-sm text-sky-700 hover:underline"
          >
            All alerts of this identity →
          </Link>
        ) : null}
      </section>

      <section id="timeline" className="card space-y-3" aria-labelledby="timeline-heading">
        <h2 id="timeline-heading" className="text-lg font-semibold">
          Activity timeline
        </h2>
        {(query.since || query.until) && (
          <p className="text-sm" data-testid="timeline-window">
            From {query.since ? <LocalTime iso={query.since} /> : "the start of the range"} to{" "}
            {query.until ? <LocalTime iso={query.until} /> : "now"}.{" "}
            <Link href={`${base}?days=${days}#timeline`} className="text-sky-700 underline">
              Whole range
            </Link>
          </p>
        )}
        <form method="get" className="flex flex-wrap items-end gap-3 text-sm" aria-label="Timeline filters">
          <div>
            <label htmlFor="f-days" className="label">
              Range
            </label>
            <select id="f-days" name="days" defaultValue={String(days)} className="input">
              {RANGES.map((d) => (
                <option key={d} value={d}>
                  Last {d} days
                </option>
              ))}
            </select>
          </div>
          <FilterSelect
            id="f-location"
            name="location"
            label="Location"
            value={query.location}
            options={options.locations.map((l) => [l.key, l.label] as const)}
          />
          <FilterSelect
            id="f-nas"
            name="nas"
            label="NAS"
            value={query.nas}
            options={options.nas.map((n) => [n, n] as const)}
          />
          <button type="submit" className="btn-primary">
            Apply
          </button>
          <a
            href={`/api/v1/identities/${encodeURIComponent(identity)}/activities?${filterParams}&format=csv`}
            className="btn-secondary"
            download
          >
            Export CSV
          </a>
          <span className="text-xs text-slate-500">
            CSV: every accounting record of the filtered timeline, up to {CSV_ROW_CAP.toLocaleString("en")} rows.
          </span>
        </form>
        {problem ? (
          <FilterProblem problem={problem} clearHref={base} />
        ) : timeline.items.length === 0 ? (
          <p className="text-sm text-slate-600">No session matches.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="data-table" aria-label="Activity timeline">
              <thead>
                <tr>
                  <th>Started</th>
                  <th>Ended</th>
                  <th className="max-sm:hidden">Duration</th>
                  <th className="max-sm:hidden">Public IP</th>
                  <th>Location</th>
                  <th className="max-sm:hidden">NAS</th>
                  <th className="max-sm:hidden">Vendor</th>
                  <th className="max-sm:hidden">Assigned IP</th>
                  <th className="max-sm:hidden">In / out</th>
                  <th className="max-sm:hidden">Records</th>
                </tr>
              </thead>
              <tbody>
                {timeline.items.map((x) => (
                  <tr key={x.id} data-testid="session-row">
                    <td>
                      <span className="sm:whitespace-nowrap">
                        <LocalTime iso={x.startedAt} />
                        {alertDays.has(x.startedAt.slice(0, 10)) && (
                          <span className="ml-1 text-red-700" title="An alert was raised for this identity on this day">
                            ⚠
                          </span>
                        )}
                      </span>
                      <RowDetails
                        items={[
                          ["Public IP", x.publicIp ?? "—"],
                          ["Duration", x.status === "open" ? "—" : formatDuration(x.durationSeconds)],
                          ["NAS", x.nas],
                          ["Vendor", x.vendor],
                          ["Assigned IP", x.assignedIp ?? "—"],
                          ["In / out", `${formatBytes(x.inputBytes)} / ${formatBytes(x.outputBytes)}`],
                          ["Records", x.events.map((e) => ACTIVITY_TYPES[e.type]).join(", ")],
                        ]}
                      />
                    </td>
                    <td className="sm:whitespace-nowrap">
                      {x.endedAt ? (
                        <LocalTime iso={x.endedAt} />
                      ) : x.status === "open" ? (
                        "still open"
                      ) : (
                        <>
                          no word since <LocalTime iso={x.lastUpdateAt} />
                        </>
                      )}
                      {x.terminateCause ? (
                        <span className="block text-xs text-slate-500">{x.terminateCause}</span>
                      ) : null}
                    </td>
                    <td className="max-sm:hidden">{x.status === "open" ? "—" : formatDuration(x.durationSeconds)}</td>
                    <td className="font-mono text-xs max-sm:hidden">
                      <IpLink ip={x.publicIp} />
                    </td>
                    <td>
                      {x.location}
                      <NetworkOwnerNote asn={x.asn} organization={x.asOrganization} hosting={x.hosting} />
                    </td>
                    <td className="max-sm:hidden">{x.nas}</td>
                    <td className="max-sm:hidden">{x.vendor}</td>
                    <td className="font-mono text-xs max-sm:hidden">{x.assignedIp ?? "—"}</td>
                    <td className="whitespace-nowrap max-sm:hidden">
                      {formatBytes(x.inputBytes)} / {formatBytes(x.outputBytes)}
                      <span className="block text-xs text-slate-500">
                        as of <LocalTime iso={x.lastUpdateAt} />
                      </span>
                    </td>
                    <td className="max-sm:hidden">
                      <details>
                        <summary className="cursor-pointer text-sky-700">
                          {x.events.length} record{x.events.length === 1 ? "" : "s"}
                        </summary>
                        <ul className="mt-1 space-y-0.5 text-xs" data-testid="session-events">
                          {x.events.map((e, i) => (
                            <li key={i} className="whitespace-nowrap">
                              <LocalTime iso={e.time} /> {ACTIVITY_TYPES[e.type]}
                              {e.publicIp ? ` from ${e.publicIp}` : ""}
                              {e.type === "start"
                                ? ""
                                : ` · ${formatBytes(e.inputBytes)} / ${formatBytes(e.outputBytes)}`}
                            </li>
                          ))}
                        </ul>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {timeline.nextCursor && (
          <Link
            className="text-sm text-sky-700 underline"
            href={`${base}?${filterParams}&cursor=${timeline.nextCursor}#timeline`}
          >
            Older sessions
          </Link>
        )}
      </section>
    </div>
  );
}
