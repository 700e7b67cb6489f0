import Link from "next/link";
import { requirePagePermission } from "@/lib/auth/page-guard";
import { can } from "@/lib/auth/permissions";
import { getForwardingSettings } from "@/lib/alerts/forwarding-settings.ts";
import { db } from "@/lib/db/prisma";
import { LocalTime } from "@/app/_components/local-time";
import { ForwardingForm } from "./forwarding-form";
import { Breadcrumb, SETTINGS } from "@/app/_components/breadcrumb";

export const metadata = { title: "Alerts forwarding · Settings · VPN Sight" };

export default async function AlertForwardingPage() {
  const principal = await requirePagePermission("vpn.read");
  const settings = await getForwardingSettings(db(), {
    revealCredentials: can(principal.role, "alertForwarding.write"),
  });
  return (
    <div className="space-y-4">
      <Breadcrumb root={SETTINGS} current="Alerts forwarding" />
      <h1 className="text-xl font-semibold">Alerts forwarding</h1>
      <p className="text-sm text-slate-600">
        Each new alert goes to your SIEM as syslog (RFC 5424, CEF payload, UDP or octet-counted TCP) and/or as a JSON
        webhook signed with HMAC-SHA256 (
        <code>X-VPNSight-Signature: sha256=HMAC(secret, timestamp + &quot;.&quot; + body)</code>,{" "}
        <code>X-VPNSight-Timestamp</code>). Failures are retried with backoff (5 s doubling, up to 1 h).
      </p>
      <ForwardingForm
        initial={{
          syslogEnabled: settings.syslogEnabled,
          syslogHost: settings.syslogHost ?? "",
          syslogPort: settings.syslogPort ? String(settings.syslogPort) : "",
          syslogProtocol: settings.syslogProtocol,
          webhookEnabled: settings.webhookEnabled,
          webhookUrl: settings.webhookUrl ?? "",
          webhookSecretConfigured: settings.webhookSecretConfigured,
        }}
        canWrite={can(principal.role, "alertForwarding.write")}
      />
      <section className="card" aria-labelledby="deliveries-heading">
        <h2 id="deliveries-heading" className="mb-2 text-lg font-semibold">
          Recent deliveries
        </h2>
        {settings.deliveries.length === 0 ? (
          <p className="text-sm text-slate-600">Nothing forwarded yet.</p>
        ) : (
          <table className="data-table" aria-label="Deliveries">
            <thead>
              <tr>
                <th>Alert</th>
                <th>Target</th>
                <th>State</th>
                <th>Attempts</th>
                <th>Last error</th>
              </tr>
            </thead>
            <tbody>
              {settings.deliveries.map((d) => (
                <tr key={d.id}>
                  <td>
                    <Link className="text-sky-700 underline" href={`/alerts/${d.alertId}`}>
                      #{d.alertId}
                    </Link>
                  </td>
                  <td>{d.target}</td>
                  <td>
                    {d.deliveredAt ? (
                      <>
                        delivered <LocalTime iso={d.deliveredAt} />
                      </>
                    ) : (
                      <>
                        retrying at <LocalTime iso={d.nextAttemptAt!} />
                      </>
                    )}
                  </td>
                  <td>{d.attempts}</td>
                  <td className="text-red-700">{d.lastError ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
