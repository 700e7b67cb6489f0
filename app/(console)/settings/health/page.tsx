import { requirePagePermission } from "@/lib/auth/page-guard";
import { can } from "@/lib/auth/permissions";
import { db, prismaSql } from "@/lib/db/prisma";
import { listHealthIssues, reconcileHealthIssues, type HealthIssueView } from "@/lib/health/health-issues.ts";
import { getHealthSettings } from "@/lib/health/health-settings.ts";
import { HEALTH_KINDS } from "@/lib/health/kinds.ts";
import { formatDuration } from "@/lib/health/checks.ts";
import { Breadcrumb, SETTINGS } from "@/app/_components/breadcrumb";
import { LocalTime } from "@/app/_components/local-time";
import { SilentThresholdForm } from "./silent-threshold-form";

export const metadata = { title: "Health · Settings · VPN Sight" };

function IssueRows({ items, open }: { items: HealthIssueView[]; open: boolean }) {
  return (
    <div className="overflow-x-auto">
      <table className="data-table" aria-label={open ? "Open health issues" : "Closed health issues"}>
        <thead>
          <tr>
            <th>Issue</th>
            <th>About</th>
            <th>Opened</th>
            {!open && <th>Closed</th>}
          </tr>
        </thead>
        <tbody>
          {items.map((h) => (
            <tr key={h.id} data-testid={`health-issue-${h.kind}`}>
              <td className="max-w-xl">
                <div className="font-medium">{HEALTH_KINDS[h.kind].title}</div>
                <div className="text-slate-700">{h.message}</div>
                {open && <div className="mt-1 text-xs text-slate-500">What to do: {HEALTH_KINDS[h.kind].fix}</div>}
              </td>
              <td className="font-mono text-xs">{h.subject}</td>
              <td>
                <LocalTime iso={h.openedAt} />
              </td>
              {!open && (
                <td>
                  <LocalTime iso={h.closedAt} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export default async function HealthPage() {
  const principal = await requirePagePermission("vpn.read");
  const sql = prismaSql(db());
  await reconcileHealthIssues(sql);
  const [open, closed, settings] = await Promise.all([
    listHealthIssues(sql, { status: "open" }),
    listHealthIssues(sql, { status: "closed" }),
    getHealthSettings(db()),
  ]);
  return (
    <div className="space-y-4">
      <Breadcrumb root={SETTINGS} current="Health" />
      <section className="card space-y-3" aria-labelledby="open-heading">
        <h1 id="open-heading" className="text-xl font-semibold">
          Health
        </h1>
        <p className="text-sm text-slate-600">
          Issues open and close by themselves: a NAS sending with a wrong secret, a RADIUS client silent for more than{" "}
          {formatDuration(settings.silentClientMinutes * 60_000)}, a sensor not reporting, a sensor keeping accounting
          in its spool, records set aside, a failing directory sync. Each opening and closing is forwarded like an alert
          (Settings › Alerts forwarding).
        </p>
        {open.length === 0 ? (
          <p className="text-sm text-green-700" data-testid="health-none">
            No open health issue.
          </p>
        ) : (
          <IssueRows items={open} open />
        )}
      </section>
      {closed.length > 0 && (
        <section className="card space-y-3" aria-labelledby="closed-heading">
          <h2 id="closed-heading" className="text-lg font-semibold">
            Closed
          </h2>
          <IssueRows items={closed} open={false} />
        </section>
      )}
      <section className="card space-y-3" aria-labelledby="thresholds-heading">
        <h2 id="thresholds-heading" className="text-lg font-semibold">
          Thresholds
        </h2>
        {can(principal.role, "vpn.write") ? (
          <SilentThresholdForm minutes={settings.silentClientMinutes} />
        ) : (
          <p className="text-sm text-slate-600">
            A RADIUS client is silent after {settings.silentClientMinutes} minutes (only admins can change it).
          </p>
        )}
      </section>
    </div>
  );
}
