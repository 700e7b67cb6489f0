import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePagePermission } from "@/lib/auth/page-guard";
import { can } from "@/lib/auth/permissions";
import { STATUS_LABELS, assignableUsers, getAlert } from "@/lib/alerts/triage.ts";
import { ExcludeForm } from "./exclude-form";
import { formatDuration } from "@/app/_components/format";
import { RowDetails } from "@/app/_components/row-details";
import { IpLink, NetworkOwnerNote } from "@/app/_components/network-owner";
import { RULES, type RuleId } from "@/lib/alerts/detections.ts";
import { db } from "@/lib/db/prisma";
import { LocalTime } from "@/app/_components/local-time";
import { WorldMap, type MapMarker } from "@/app/_components/world-map";
import { TriageForm } from "./triage-form";
import { Breadcrumb } from "@/app/_components/breadcrumb";
import { readEvidence } from "@/lib/alerts/evidence.ts";

const SESSION_ROLE = {
  trigger: "This session",
  previous: "Previous session",
  concurrent: "Open at the same time",
  repeat: "Again the same day",
} as const;

/** The tab names the alert by number (its title and identity only after the page checked the viewer's permission). */
export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  const id = (await params).id;
  return { title: `Alert #${/^\d{1,19}$/.test(id) ? id : "?"} · VPN Sight` };
}

export default async function AlertPage({ params }: { params: Promise<{ id: string }> }) {
  const principal = await requirePagePermission("alerts.read");
  const alert = await getAlert(db(), (await params).id);
  if (!alert) notFound();
  const evidence = readEvidence(alert.rule, alert.evidence);
  // Every session the alert is about, each place once with its real count of sessions.
  const byPlace = new Map<string, MapMarker>();
  for (const w of alert.sessions) {
    if (w.latitude == null || w.longitude == null) continue;
    const key = `${w.latitude},${w.longitude}`;
    const known = byPlace.get(key);
    if (known) known.sessions += 1;
    else byPlace.set(key, { key, label: w.location, latitude: w.latitude, longitude: w.longitude, sessions: 1 });
  }
  const markers = [...byPlace.values()];
  const canTriage = can(principal.role, "alerts.triage");
  const canExclude = can(principal.role, "exclusions.write");
  const trigger = alert.sessions.find((s) => s.role === "trigger");
  const also = evidence.rule === "other" ? [] : evidence.also;
  const profile = `/identities/${encodeURIComponent(alert.identity)}`;
  /** The profile's timeline from an hour before the session to an hour after. */
  const timelineAt = (iso: string) =>
    `${profile}?${new URLSearchParams({
      since: new Date(Date.parse(iso) - 3_600_000).toISOString(),
      until: new Date(Date.parse(iso) + 3_600_000).toISOString(),
    })}#timeline`;
  const baseline = evidence.rule === "suspicious-vpn-connection" ? evidence.baselineCountries : [];
  return (
    <div className="space-y-4">
      <Breadcrumb root={{ href: "/alerts", label: "Alerts" }} current={`#${alert.id}`} />
      <section className="card space-y-2">
        <h1 className="text-xl font-semibold">{alert.title}</h1>
        <p data-testid="alert-summary">{evidence.summary}</p>
        <dl className="grid grid-cols-1 gap-1 text-sm sm:grid-cols-[10rem_1fr]">
          <dt className="text-slate-600">Status</dt>
          <dd data-testid="alert-status">{STATUS_LABELS[alert.status]}</dd>
          <dt className="text-slate-600">Severity</dt>
          <dd>
            {alert.severity} (MITRE ATT&amp;CK {RULES[alert.rule as RuleId]?.mitre})
            {evidence.rule !== "other" && evidence.severityRaised ? (
              <span className="block text-slate-600" data-testid="severity-raised">
                Raised {evidence.severityRaised}
              </span>
            ) : null}
          </dd>
          {also.length > 0 && (
            <>
              <dt className="text-slate-600">Also fired</dt>
              <dd data-testid="alert-also">
                <ul>
                  {also.map((f) => (
                    <li key={f.rule}>
                      <span className="font-medium">{RULES[f.rule].title}</span> ({f.severity}): {f.summary}
                    </li>
                  ))}
                </ul>
              </dd>
            </>
          )}
          <dt className="text-slate-600">Assignee</dt>
          <dd data-testid="alert-assignee">{alert.assignee ? alert.assignee.email : "Unassigned"}</dd>
          {alert.excludedBy && (
            <>
              <dt className="text-slate-600">Excluded</dt>
              <dd data-testid="alert-excluded">
                Sessions like this one no longer raise alerts: {alert.excludedBy.description} — “
                {alert.excludedBy.reason}”
                {alert.excludedBy.expiresAt ? (
                  <>
                    {" "}
                    (until <LocalTime iso={alert.excludedBy.expiresAt} />)
                  </>
                ) : null}
                .{" "}
                <Link href="/settings/detections" className="text-sky-700 underline">
                  Exclusions
                </Link>
              </dd>
            </>
          )}
          <dt className="text-slate-600">Identity</dt>
          <dd>
            <Link className="text-sky-700 underline" href={profile}>
              {alert.identity}
            </Link>
          </dd>
          <dt className="text-slate-600">Happened</dt>
          <dd>
            <LocalTime iso={alert.occurredAt} />
          </dd>
          <dt className="text-slate-600">Occurrences</dt>
          <dd>{alert.occurrences}</dd>
          {evidence.rule === "vpn-disabled-account" && (
            <>
              <dt className="text-slate-600">Account</dt>
              <dd data-testid="alert-account">
                {evidence.account.displayName ? `${evidence.account.displayName} · ` : ""}
                {evidence.account.userPrincipalName}: {evidence.account.state}
                {evidence.account.since ? (
                  <>
                    {" "}
                    since <LocalTime iso={evidence.account.since} />
                  </>
                ) : null}
              </dd>
            </>
          )}
          {evidence.rule === "impossible-travel" && (
            <>
              <dt className="text-slate-600">Travel</dt>
              <dd>
                {evidence.speedKmh
                  ? `${evidence.distanceKm} km in ${evidence.hours} h = ${evidence.speedKmh} km/h`
                  : `${evidence.distanceKm} km apart, sessions overlapping (no time to travel)`}{" "}
                — limit {evidence.maxTravelKmh} km/h
              </dd>
            </>
          )}
        </dl>
      </section>
      {markers.length > 0 && (
        <section className="card">
          <WorldMap markers={markers} />
        </section>
      )}
      {alert.sessions.length > 0 && (
        <section className="card overflow-x-auto">
          <h2 className="mb-2 text-lg font-semibold">Sessions</h2>
          <table className="data-table" aria-label="Alert sessions">
            <thead>
              <tr>
                <th>Session</th>
                <th>Started</th>
                <th>Public IP</th>
                <th>Location</th>
                <th className="max-sm:hidden">NAS</th>
                <th className="max-sm:hidden">Vendor</th>
                <th className="max-sm:hidden">Duration</th>
                <th>Timeline</th>
              </tr>
            </thead>
            <tbody>
              {alert.sessions.map((x) => (
                <tr key={x.sessionKey}>
                  <td>
                    {SESSION_ROLE[x.role]}
                    <RowDetails
                      items={[
                        ["NAS", x.nas ?? "—"],
                        ["Vendor", x.vendor ?? "—"],
                        ["Duration", x.status === "open" ? "still open" : formatDuration(x.durationSeconds)],
                      ]}
                    />
                  </td>
                  <td className="whitespace-nowrap">{x.startedAt ? <LocalTime iso={x.startedAt} /> : "—"}</td>
                  <td className="font-mono text-xs">
                    <IpLink ip={x.publicIp} />
                  </td>
                  <td>
                    {x.location}
                    <NetworkOwnerNote asn={x.asn} organization={x.asOrganization} hosting={x.hosting} />
                  </td>
                  <td className="max-sm:hidden">{x.nas ?? "—"}</td>
                  <td className="max-sm:hidden">{x.vendor ?? "—"}</td>
                  <td className="max-sm:hidden">
                    {x.status === "open"
                      ? "still open"
                      : x.durationSeconds !== null
                        ? formatDuration(x.durationSeconds)
                        : "—"}
                  </td>
                  <td>
                    {x.startedAt ? (
                      <Link href={timelineAt(x.startedAt)} className="text-sky-700 hover:underline">
                        Around then
                      </Link>
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {(evidence.rule === "new-network" || evidence.rule === "hosting-network") && (
        <section className="card">
          <h2 className="mb-2 text-lg font-semibold">Baseline networks ({evidence.windowDays} days before)</h2>
          {evidence.baselineNetworks.length === 0 ? (
            <p className="text-sm text-slate-600">No session with a known network owner in that window.</p>
          ) : (
            <table className="data-table" aria-label="Baseline networks">
              <thead>
                <tr>
                  <th>Network</th>
                  <th>Sessions</th>
                </tr>
              </thead>
              <tbody>
                {evidence.baselineNetworks.map((b) => (
                  <tr key={b.asn}>
                    <td>
                      <Link href={`/network/${b.asn}`} className="text-sky-700 hover:underline">
                        AS{b.asn} {b.organization ?? ""}
                      </Link>
                    </td>
                    <td>{b.sessions}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      {baseline.length > 0 && (
        <section className="card">
          <h2 className="mb-2 text-lg font-semibold">
            Baseline ({evidence.rule === "suspicious-vpn-connection" ? evidence.windowDays : ""} days before)
          </h2>
          <table className="data-table" aria-label="Baseline countries">
            <thead>
              <tr>
                <th>Country</th>
                <th>Sessions</th>
                <th>Last seen</th>
              </tr>
            </thead>
            <tbody>
              {baseline.map((b) => (
                <tr key={b.countryCode}>
                  <td>{b.country ?? b.countryCode}</td>
                  <td>{b.sessions}</td>
                  <td>
                    <LocalTime iso={b.lastSeen} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <section className="card space-y-3">
        <h2 className="text-lg font-semibold">Triage</h2>
        {alert.notes.length > 0 && (
          <ul className="space-y-1 text-sm">
            {alert.notes.map((n, i) => (
              <li key={i}>
                <LocalTime iso={n.at} /> — {n.actor}: {STATUS_LABELS[n.fromStatus]} → {STATUS_LABELS[n.toStatus]}
                {n.comment ? ` — “${n.comment}”` : ""}
              </li>
            ))}
          </ul>
        )}
        {canTriage ? (
          <TriageForm
            id={alert.id}
            status={alert.status}
            assignee={alert.assignee?.email ?? null}
            assignees={(await assignableUsers(db())).map((u) => u.email)}
          />
        ) : (
          <p className="text-sm text-slate-500">Read-only: analysts and admins triage alerts.</p>
        )}
      </section>
      {canExclude && trigger && (
        <section className="card space-y-3">
          <h2 className="text-lg font-semibold">Exclude</h2>
          <p className="text-sm text-slate-600">
            A known case (a corporate egress IP, a travelling team, a NAS that reports odd places): later sessions that
            match raise no alert. Listed with what each held back in{" "}
            <Link href="/settings/detections" className="text-sky-700 underline">
              Settings › Detections
            </Link>
            .
          </p>
          <ExcludeForm
            alertId={alert.id}
            rule={alert.rule}
            ruleTitle={alert.title}
            identity={alert.identity}
            publicIp={trigger.publicIp}
            countryCode={trigger.countryCode}
            nas={trigger.nas}
          />
        </section>
      )}
      <details className="card text-sm">
        <summary className="cursor-pointer font-medium">Raw evidence</summary>
        <pre className="mt-2 overflow-x-auto text-xs">{JSON.stringify(alert.evidence, null, 2)}</pre>
      </details>
    </div>
  );
}
