import Link from "next/link";
import { requirePagePermission } from "@/lib/auth/page-guard";
import { AuditQuerySchema, listAudit } from "@/lib/audit/log.ts";
import { FilterProblem, orProblem, pageQuery } from "@/app/_components/page-query";
import { searchParamsRecord } from "@/app/_components/search-params";
import { db } from "@/lib/db/prisma";
import { LocalTime } from "@/app/_components/local-time";
import { Breadcrumb, SETTINGS } from "@/app/_components/breadcrumb";

export const metadata = { title: "Audit log · Settings · VPN Sight" };

function describeChanges(changes: unknown): string {
  if (!changes || typeof changes !== "object") return "";
  return Object.entries(changes as Record<string, unknown>)
    .map(([field, change]) => {
      // A plain value (text, number, list) is shown as it is; {from, to} as a change.
      if (change === null || typeof change !== "object" || Array.isArray(change))
        return `${field}: ${Array.isArray(change) ? JSON.stringify(change) : String(change)}`;
      const c = change as { from?: unknown; to?: unknown };
      return "from" in c ? `${field}: ${String(c.from)} → ${String(c.to)}` : `${field}: ${String(c.to)}`;
    })
    .join("; ");
}

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requirePagePermission("audit.read");
  const { query, problem: known } = pageQuery(AuditQuerySchema, await searchParamsRecord(searchParams));
  const { result: page, problem } = await orProblem(
    () => listAudit(db(), query),
    { items: [], nextBefore: null },
    known,
  );
  return (
    <div className="space-y-4">
      <Breadcrumb root={SETTINGS} current="Audit log" />
      <h1 className="text-xl font-semibold">Audit log</h1>
      {problem ? (
        <FilterProblem problem={problem} clearHref="/settings/audit" />
      ) : (
        <div className="card overflow-x-auto">
          <table className="data-table">
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>Action</th>
                <th>Target</th>
                <th>What changed</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((e) => (
                <tr key={e.id}>
                  <td className="whitespace-nowrap">
                    <LocalTime iso={e.at} />
                  </td>
                  <td>
                    {e.actor}
                    {e.sourceIp && <div className="text-xs text-slate-500">{e.sourceIp}</div>}
                  </td>
                  <td className="font-mono text-xs">{e.action}</td>
                  <td>{e.target}</td>
                  <td>{describeChanges(e.changes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {page.items.length === 0 && <p className="text-sm text-slate-600">Nothing has changed yet.</p>}
        </div>
      )}
      {page.nextBefore && (
        <Link className="text-sky-700 underline" href={`/settings/audit?before=${page.nextBefore}`}>
          Older entries
        </Link>
      )}
    </div>
  );
}
