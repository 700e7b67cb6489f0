import Link from "next/link";
import { requirePagePermission } from "@/lib/auth/page-guard";
import { ALERT_STATUSES, AlertQuerySchema, STATUS_LABELS, listAlerts } from "@/lib/alerts/triage.ts";
import { RULES, detectionSettingsFromEnv, learningRuleText } from "@/lib/alerts/detections.ts";
import { db } from "@/lib/db/prisma";
import { FilterSelect } from "@/app/_components/filter-select";
import { LocalDateTimeField } from "@/app/_components/local-date-time-field";
import { LocalTime } from "@/app/_components/local-time";
import { searchParamsRecord } from "@/app/_components/search-params";
import { FilterProblem, orProblem, pageQuery } from "@/app/_components/page-query";
import { readEvidence } from "@/lib/alerts/evidence.ts";
import { SEVERITIES } from "@/lib/alerts/severity.ts";

const SEVERITY_CLASS: Record<string, string> = {
  critical: "font-bold text-red-800",
  high: "font-semibold text-red-700",
  medium: "text-amber-700",
  low: "text-slate-600",
};

export const metadata = { title: "Alerts · VPN Sight" };
type Search = Record<string, string | string[] | undefined>;

export default async function AlertsPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requirePagePermission("alerts.read");
  const raw = await searchParamsRecord(searchParams);
  // A filter that does not parse is reported, not dropped: an unfiltered list would look like its answer.
  const { query, problem: known } = pageQuery(AlertQuerySchema, raw);
  const { result, problem } = await orProblem(() => listAlerts(db(), query), { items: [], nextCursor: null }, known);
  const { items, nextCursor } = result;
  const pageHref = (cursor: string | null) => {
    const params = new URLSearchParams(Object.entries(raw).filter(([k]) => k !== "cursor"));
    if (cursor) params.set("cursor", cursor);
    return `/alerts${params.size ? `?${params}` : ""}`;
  };
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Alerts</h1>
      <form method="get" className="flex flex-wrap items-end gap-3 text-sm" aria-label="Alert filters">
        <FilterSelect
          id="a-status"
          name="status"
          label="Status"
          value={raw.status}
          options={ALERT_STATUSES.map((s) => [s, STATUS_LABELS[s]] as const)}
        />
        <FilterSelect
          id="a-severity"
          name="severity"
          label="Severity"
          value={raw.severity}
          options={[...SEVERITIES].reverse().map((s) => [s, s[0]!.toUpperCase() + s.slice(1)] as const)}
        />
        <FilterSelect
          id="a-sensitive"
          name="sensitive"
          label="Account"
          value={raw.sensitive}
          options={[
            ["true", "Sensitive"],
            ["false", "Not sensitive"],
          ]}
        />
        <FilterSelect
          id="a-rule"
          name="rule"
          label="Rule"
          value={raw.rule}
          options={Object.entries(RULES).map(([id, r]) => [id, r.title] as const)}
        />
        <div>
          <label htmlFor="a-identity" className="label">
            Identity
          </label>
          <input id="a-identity" name="identity" defaultValue={raw.identity ?? ""} className="input" />
        </div>
        <LocalDateTimeField id="a-since" name="since" label="Created since" value={raw.since} />
        <button type="submit" className="btn-primary">
          Filter
        </button>
      </form>
      {problem ? (
        <FilterProblem problem={problem} clearHref="/alerts" />
      ) : items.length === 0 ? (
        <div className="card text-sm text-slate-600">
          {Object.values(raw).some(Boolean)
            ? "No alert matches these filters."
            : `No alerts. New-country alerts start once ${learningRuleText(detectionSettingsFromEnv())}; the other rules apply from the first sessions.`}
        </div>
      ) : (
        <div className="card overflow-x-auto">
          <table className="data-table" aria-label="Alerts">
            <thead>
              <tr>
                <th>Alert</th>
                <th>Severity</th>
                <th>Status</th>
                <th>Identity</th>
                <th>When</th>
                <th>What happened</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id}>
                  <td>
                    <Link href={`/alerts/${a.id}`} className="text-sky-700 hover:underline">
                      {a.title}
                    </Link>
                  </td>
                  <td className={SEVERITY_CLASS[a.severity] ?? ""}>{a.severity}</td>
                  <td>{STATUS_LABELS[a.status]}</td>
                  <td>
                    <Link href={`/identities/${encodeURIComponent(a.identity)}`} className="hover:underline">
                      {a.identity}
                    </Link>
                  </td>
                  <td className="whitespace-nowrap">
                    <LocalTime iso={a.occurredAt} />
                  </td>
                  <td className="text-slate-600">
                    {readEvidence(a.rule, a.evidence).summary}
                    {a.occurrences > 1 ? ` (×${a.occurrences})` : ""}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav aria-label="Alert pages" className="mt-3 flex gap-4 text-sm">
            {raw.cursor ? (
              <Link href={pageHref(null)} className="text-sky-700 hover:underline">
                ← Newest
              </Link>
            ) : null}
            {nextCursor ? (
              <Link href={pageHref(nextCursor)} className="text-sky-700 hover:underline">
                Older alerts →
              </Link>
            ) : null}
          </nav>
        </div>
      )}
    </div>
  );
}
