import Link from "next/link";
import { requirePagePermission } from "@/lib/auth/page-guard";
import {
  ALERT_STATUSES,
  AlertQuerySchema,
  STATUS_LABELS,
  assignableUsers,
  countAlerts,
  listAlerts,
} from "@/lib/alerts/triage.ts";
import { can } from "@/lib/auth/permissions";
import { identityExists } from "@/lib/identities/views.ts";
import { AlertsTable, type AlertRowView } from "./alerts-table";
import { RULES, detectionSettingsFromEnv, learningRuleText } from "@/lib/alerts/detections.ts";
import { db } from "@/lib/db/prisma";
import { FilterSelect } from "@/app/_components/filter-select";
import { LocalDateTimeField } from "@/app/_components/local-date-time-field";
import { searchParamsRecord } from "@/app/_components/search-params";
import { FilterProblem, orProblem, pageQuery } from "@/app/_components/page-query";
import { readEvidence } from "@/lib/alerts/evidence.ts";
import { SEVERITIES } from "@/lib/alerts/severity.ts";

export const metadata = { title: "Alerts · VPN Sight" };
type Search = Record<string, string | string[] | undefined>;

export default async function AlertsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const principal = await requirePagePermission("alerts.read");
  const raw = await searchParamsRecord(searchParams);
  // A filter that does not parse is reported, not dropped: an unfiltered list would look like its answer.
  const { query, problem: known } = pageQuery(AlertQuerySchema, raw);
  const viewer = { userId: principal.userId };
  const { result, problem } = await orProblem(
    async () => {
      const [page, counts] = await Promise.all([listAlerts(db(), query, viewer), countAlerts(db(), query, viewer)]);
      return { ...page, counts: counts as typeof counts | null };
    },
    { items: [], nextCursor: null, counts: null },
    known,
  );
  const { items, nextCursor, counts } = result;
  const users = await assignableUsers(db());
  const hrefWith = (changes: Record<string, string | null>) => {
    const params = new URLSearchParams(
      Object.entries(raw).filter(
        (e): e is [string, string] => typeof e[1] === "string" && e[1] !== "" && e[0] !== "cursor",
      ),
    );
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) params.delete(k);
      else params.set(k, v);
    }
    return `/alerts${params.size ? `?${params}` : ""}`;
  };
  const pageHref = (cursor: string | null) => hrefWith({ cursor });
  const rows: AlertRowView[] = items.map((a) => ({
    id: a.id,
    title: a.title,
    alsoTitles: a.rules.filter((r) => r !== a.rule).map((r) => RULES[r]?.title ?? r),
    severity: a.severity,
    status: a.status,
    identity: a.identity,
    assignee: a.assignee?.email ?? null,
    occurredAt: a.occurredAt,
    summary: readEvidence(a.rule, a.evidence).summary,
    occurrences: a.occurrences,
  }));
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Alerts</h1>
      {counts && (
        <div className="flex flex-wrap gap-x-6 gap-y-1 text-sm" data-testid="alert-counts">
          <p aria-label="Alerts by status">
            {ALERT_STATUSES.map((s, i) => (
              <span key={s}>
                {i > 0 ? " · " : ""}
                <Link href={hrefWith({ status: s })} className="text-sky-700 hover:underline">
                  {STATUS_LABELS[s]} {counts.status[s].toLocaleString("en-US")}
                </Link>
              </span>
            ))}
          </p>
          <p aria-label="Alerts by severity">
            {[...SEVERITIES].reverse().map((s, i) => (
              <span key={s}>
                {i > 0 ? " · " : ""}
                <Link href={hrefWith({ severity: s })} className="text-sky-700 hover:underline">
                  {s[0]!.toUpperCase() + s.slice(1)} {counts.severity[s].toLocaleString("en-US")}
                </Link>
              </span>
            ))}
          </p>
        </div>
      )}
      <form method="get" className="flex flex-wrap items-end gap-3 text-sm" aria-label="Alert filters">
        <FilterSelect
          id="a-status"
          name="status"
          label="Status"
          value={raw.status}
          options={[
            ["open", "Open (new or in progress)"] as const,
            ...ALERT_STATUSES.map((s) => [s, STATUS_LABELS[s]] as const),
          ]}
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
        <FilterSelect
          id="a-assignee"
          name="assignee"
          label="Assignee"
          value={raw.assignee}
          options={[["me", "Me"], ["none", "Unassigned"], ...users.map((u) => [u.email, u.email] as const)]}
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
          {query.identity && !(await identityExists(db(), query.identity))
            ? `No identity matches “${query.identity}”: the filter finds a part of an identity, an alias or DOMAIN\\user.`
            : Object.values(raw).some(Boolean)
              ? "No alert matches these filters."
              : `No alerts. New-country alerts start once ${learningRuleText(detectionSettingsFromEnv())}; the other rules apply from the first sessions.`}
        </div>
      ) : (
        <div className="card space-y-3">
          <AlertsTable
            items={rows}
            canTriage={can(principal.role, "alerts.triage")}
            assignees={users.map((u) => u.email)}
          />
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
