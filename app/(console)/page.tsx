import Link from "next/link";
import { requirePagePermission } from "@/lib/auth/page-guard";
import { db, prismaSql, dbRead } from "@/lib/db/prisma";
import { OverviewQuerySchema, overview } from "@/lib/overview/overview.ts";
import { listSensors } from "@/lib/radius/sensors.ts";
import { listHealthIssues, reconcileHealthIssues } from "@/lib/health/health-issues.ts";
import { HEALTH_KINDS } from "@/lib/health/kinds.ts";
import { SEVERITIES } from "@/lib/alerts/severity.ts";
import { WorldMap } from "@/app/_components/world-map";
import { LocalTime } from "@/app/_components/local-time";
import { searchParamsRecord } from "@/app/_components/search-params";
import { FilterProblem, pageQuery } from "@/app/_components/page-query";

export const metadata = { title: "Overview · VPN Sight" };
type Search = Record<string, string | string[] | undefined>;

const CHART_WIDTH = 960;
const CHART_HEIGHT = 160;

/** Sessions started per hour (24 h) or per day (30 d), as server-rendered SVG bars, each a link to its sessions. */
function ActivityChart({
  buckets,
  period,
}: {
  buckets: { from: string; to: string; sessions: number }[];
  period: string;
}) {
  const max = Math.max(1, ...buckets.map((b) => b.sessions));
  const width = CHART_WIDTH / buckets.length;
  return (
    <svg
      viewBox={`0 0 ${CHART_WIDTH} ${CHART_HEIGHT + 20}`}
      role="img"
      aria-label={`Sessions started per ${period === "24h" ? "hour" : "day"}`}
      className="h-auto w-full"
    >
      {buckets.map((b, i) => {
        const height = (b.sessions / max) * CHART_HEIGHT;
        return (
          <a key={b.from} href={`/activity?${new URLSearchParams({ since: b.from, until: b.to })}`}>
            <rect
              x={i * width + 1}
              y={CHART_HEIGHT - height}
              width={width - 2}
              height={Math.max(height, b.sessions ? 1 : 0)}
              fill="#0284c7"
              data-testid="activity-bar"
            >
              <title>{`${b.from.slice(0, period === "24h" ? 13 : 10).replace("T", " ")}${period === "24h" ? ":00 UTC" : ""}: ${b.sessions} sessions`}</title>
            </rect>
          </a>
        );
      })}
      <line x1={0} x2={CHART_WIDTH} y1={CHART_HEIGHT} y2={CHART_HEIGHT} stroke="#94a3b8" />
      <text x={0} y={CHART_HEIGHT + 15} fontSize={11} fill="#64748b">
        {period === "24h" ? "24 hours ago" : "30 days ago"}
      </text>
      <text x={CHART_WIDTH} y={CHART_HEIGHT + 15} fontSize={11} fill="#64748b" textAnchor="end">
        now · highest {max.toLocaleString("en")}
      </text>
    </svg>
  );
}

/** The admins' banner: the checks run first (no detector runs while every sensor is stopped). */
async function openHealthIssues() {
  const sql = prismaSql(db());
  await reconcileHealthIssues(sql);
  return listHealthIssues(sql, { status: "open" });
}

export default async function OverviewPage({ searchParams }: { searchParams: Promise<Search> }) {
  const principal = await requirePagePermission("console.view");
  const raw = await searchParamsRecord(searchParams);
  const { query, problem } = pageQuery(OverviewQuerySchema, raw);
  const [data, sensors, healthIssues] = await Promise.all([
    overview(dbRead(), query.period, new Date(), { keep: true }),
    listSensors(db()),
    principal.role === "admin" ? openHealthIssues() : [],
  ]);
  const since = data.since;
  const total = data.activity.reduce((n, b) => n + b.sessions, 0);
  const openAlerts = Object.values(data.openAlerts).reduce((a, b) => a + b, 0);
  const newCountries = data.countries.filter((c) => c.isNew);
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-xl font-semibold">Overview</h1>
        <nav aria-label="Period" className="flex gap-1 text-sm">
          {(["24h", "30d"] as const).map((p) => (
            <Link
              key={p}
              href={`/?period=${p}`}
              aria-current={p === query.period ? "page" : undefined}
              className={`rounded px-2 py-1 ${p === query.period ? "bg-slate-800 text-white" : "border border-slate-300"}`}
            >
              {p === "24h" ? "24 hours" : "30 days"}
            </Link>
          ))}
        </nav>
      </div>
      {problem && <FilterProblem problem={problem} clearHref="/" />}
      {healthIssues.length > 0 && (
        <p
          role="status"
          className="rounded border border-amber-300 bg-amber-50 p-3 text-sm"
          data-testid="health-banner"
        >
          {healthIssues.length} open health issue{healthIssues.length === 1 ? "" : "s"}:{" "}
          {[...new Set(healthIssues.map((h) => HEALTH_KINDS[h.kind].title))].join(", ")}.{" "}
          <Link href="/settings/health" className="text-sky-700 underline">
            Health
          </Link>
        </p>
      )}
      <section className="grid grid-cols-2 gap-3 sm:grid-cols-4" aria-label="Figures">
        <Link href={`/activity?since=${encodeURIComponent(since)}`} className="card hover:border-sky-400">
          <span className="block text-sm text-slate-600">Sessions started</span>
          <span className="text-2xl font-semibold" data-testid="sessions-started">
            {total.toLocaleString("en")}
          </span>
        </Link>
        <Link href="/identities?online=1" className="card hover:border-sky-400">
          <span className="block text-sm text-slate-600">Online now</span>
          <span className="text-2xl font-semibold" data-testid="online-now">
            {data.online.identities.toLocaleString("en")}
          </span>
          <span className="block text-xs text-slate-500">
            {data.online.sessions.toLocaleString("en")} open session{data.online.sessions === 1 ? "" : "s"}
          </span>
        </Link>
        <Link href="/alerts?status=open" className="card hover:border-sky-400">
          <span className="block text-sm text-slate-600">Open alerts</span>
          <span className="text-2xl font-semibold">{openAlerts.toLocaleString("en")}</span>
          <span className="block text-xs text-slate-500" data-testid="open-alerts">
            {[...SEVERITIES]
              .reverse()
              .map((s) => `${data.openAlerts[s]} ${s}`)
              .join(" · ")}
          </span>
        </Link>
        <Link href="/settings/identities/vpn" className="card hover:border-sky-400">
          <span className="block text-sm text-slate-600">Sensors</span>
          <span className="text-2xl font-semibold">
            {sensors.filter((s) => s.online).length} / {sensors.length}
          </span>
          <span className="block text-xs text-slate-500">reporting</span>
        </Link>
      </section>
      <section className="card space-y-2">
        <h2 className="text-lg font-semibold">VPN activity</h2>
        <ActivityChart buckets={data.activity} period={query.period} />
      </section>
      <section className="card space-y-2">
        <h2 className="text-lg font-semibold">Where connections came from</h2>
        {data.places.length ? (
          <WorldMap markers={data.places} />
        ) : (
          <p className="text-sm text-slate-600">No located session in this period.</p>
        )}
      </section>
      <div className="grid gap-4 md:grid-cols-2">
        <section className="card space-y-2">
          <h2 className="text-lg font-semibold">Top countries</h2>
          {data.countries.length === 0 ? (
            <p className="text-sm text-slate-600">No located session in this period.</p>
          ) : (
            <table className="data-table" aria-label="Top countries">
              <thead>
                <tr>
                  <th>Country</th>
                  <th>Sessions</th>
                  <th>Identities</th>
                </tr>
              </thead>
              <tbody>
                {data.countries.slice(0, 15).map((c) => (
                  <tr key={c.countryCode}>
                    <td>
                      <Link
                        href={`/activity?${new URLSearchParams({ country: c.countryCode, since })}`}
                        className="text-sky-700 hover:underline"
                      >
                        {c.country ?? c.countryCode}
                      </Link>
                      {c.isNew && (
                        <span className="ml-1 rounded bg-amber-100 px-1.5 text-xs font-semibold text-amber-800">
                          new
                        </span>
                      )}
                    </td>
                    <td>{c.sessions.toLocaleString("en")}</td>
                    <td>{c.identities.toLocaleString("en")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p className="text-sm" data-testid="new-countries">
            New countries (none in the 30 days before):{" "}
            {newCountries.length
              ? newCountries.map((c, i) => (
                  <span key={c.countryCode}>
                    {i ? ", " : ""}
                    <Link
                      href={`/activity?${new URLSearchParams({ country: c.countryCode, since })}`}
                      className="text-sky-700 hover:underline"
                    >
                      {c.country ?? c.countryCode}
                    </Link>
                  </span>
                ))
              : "none"}
          </p>
        </section>
        <section className="card space-y-2">
          <h2 className="text-lg font-semibold">Identities in more than one country</h2>
          {data.multiCountry.length === 0 ? (
            <p className="text-sm text-slate-600">None in this period.</p>
          ) : (
            <ul className="space-y-1 text-sm" data-testid="multi-country">
              {data.multiCountry.map((m) => (
                <li key={m.identity} className="[overflow-wrap:anywhere]">
                  <Link href={`/identities/${encodeURIComponent(m.identity)}`} className="text-sky-700 hover:underline">
                    {m.identity}
                  </Link>{" "}
                  — {m.countries.join(", ")}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
      <p className="text-xs text-slate-500">
        Since <LocalTime iso={since} />.
        {query.period === "30d" && (
          <>
            {" "}
            The month&apos;s figures as of <LocalTime iso={data.asOf} /> (refreshed every minute); online now and open
            alerts are live.
          </>
        )}
      </p>
    </div>
  );
}
