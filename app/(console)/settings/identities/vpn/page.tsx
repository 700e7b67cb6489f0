import { requirePagePermission } from "@/lib/auth/page-guard";
import { can } from "@/lib/auth/permissions";
import { db, dbRead, prismaSql } from "@/lib/db/prisma";
import { configuredReplication } from "@/lib/db/replication.ts";
import { listRadiusClients } from "@/lib/radius/radius-clients.ts";
import { getRadsecSettings } from "@/lib/radius/radsec-settings.ts";
import { listSensors } from "@/lib/radius/sensors.ts";
import { getVpnSettings } from "@/lib/radius/vpn-settings.ts";
import { LocalTime } from "@/app/_components/local-time";
import { VpnSettingsForm } from "./vpn-settings-form";
import { RadiusClientsPanel } from "./radius-clients-panel";
import { RadsecPanel } from "./radsec-panel";
import { SensorsPanel } from "./sensors-panel";
import { NasPanel } from "./nas-panel";
import { SetupSteps } from "./setup-steps";
import { listNasSources } from "@/lib/health/nas-sources.ts";
import { Breadcrumb, SETTINGS } from "@/app/_components/breadcrumb";

export const metadata = { title: "VPN · Settings · VPN Sight" };

export default async function VpnSettingsPage() {
  const principal = await requirePagePermission("vpn.read");
  const canWrite = can(principal.role, "vpn.write");
  const [settings, clients, sensors, radsec, sources, replication] = await Promise.all([
    getVpnSettings(db()),
    listRadiusClients(db()),
    listSensors(db()),
    getRadsecSettings(db()),
    listNasSources(prismaSql(db())),
    configuredReplication(db(), dbRead()),
  ]);
  const secretStatus = settings.secretConfigured ? (
    <>
      configured on <LocalTime iso={settings.secretUpdatedAt} /> by {settings.secretUpdatedBy ?? "unknown"}
    </>
  ) : (
    "not configured"
  );

  return (
    <div className="space-y-6">
      <Breadcrumb root={SETTINGS} steps={["Identities"]} current="VPN" />
      <section className="card space-y-4" aria-labelledby="radius-heading">
        <div>
          <h1 id="radius-heading" className="text-xl font-semibold">
            RADIUS accounting
          </h1>
          <p className="mt-1 text-sm text-slate-600">
            VPN Sight listens for RADIUS Accounting (RFC 2866) from your VPN servers on UDP port{" "}
            <strong data-testid="accounting-port">{settings.port}</strong>. Point your VPN server&apos;s accounting at
            this host and use the same shared secret.
          </p>
        </div>
        <dl className="grid grid-cols-1 gap-2 text-sm sm:grid-cols-[12rem_1fr]">
          <dt className="font-medium text-slate-600">Shared secret</dt>
          <dd data-testid="secret-status">{secretStatus}</dd>
          {settings.previousSecretExpiresAt && (
            <>
              <dt className="font-medium text-slate-600">Previous secret</dt>
              <dd data-testid="previous-secret-status">
                still accepted until <LocalTime iso={settings.previousSecretExpiresAt} />
              </dd>
            </>
          )}
          <dt className="font-medium text-slate-600">Rotation grace period</dt>
          <dd>{settings.rotationGraceHours} h</dd>
        </dl>
        {canWrite ? (
          <VpnSettingsForm
            enabled={settings.enabled}
            secretConfigured={settings.secretConfigured}
            rotationGraceHours={settings.rotationGraceHours}
          />
        ) : (
          <div className="space-y-2">
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" checked={settings.enabled} disabled readOnly />
              Enable radius accounting
            </label>
            <p className="text-sm text-slate-500">Read-only: only admins can change VPN settings.</p>
          </div>
        )}
      </section>
      <SetupSteps sensors={sensors} port={settings.port} />
      <RadiusClientsPanel clients={JSON.parse(JSON.stringify(clients))} canWrite={canWrite} />
      <RadsecPanel view={JSON.parse(JSON.stringify(radsec))} canWrite={canWrite} />
      <NasPanel sources={sources} />
      <SensorsPanel sensors={sensors} replication={replication} />
    </div>
  );
}
