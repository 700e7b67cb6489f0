import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePagePermission } from "@/lib/auth/page-guard";
import { dbRead } from "@/lib/db/prisma";
import { ipUsage } from "@/lib/sessions/ip-usage.ts";
import { listVpnSessions, VpnSessionQuerySchema } from "@/lib/sessions/session-list.ts";
import { Breadcrumb } from "@/app/_components/breadcrumb";
import { IdentityUsageTable } from "@/app/_components/identity-usage-table";
import { LocalTime } from "@/app/_components/local-time";
import { NetworkOwnerNote } from "@/app/_components/network-owner";
import { WorldMap } from "@/app/_components/world-map";

/** The address from the path, or null when it is not one (a lone "%" cannot even be decoded). */
function addressParam(raw: string): string | null {
  try {
    const address = decodeURIComponent(raw);
    return address.length <= 64 ? address : null;
  } catch {
    return null;
  }
}

export async function generateMetadata({ params }: { params: Promise<{ address: string }> }) {
  return { title: `${addressParam((await params).address) ?? "IP"} · VPN Sight` };
}

/** One public IP: where it is, whose network, every identity that used it, its recent sessions. */
export default async function IpPage({ params }: { params: Promise<{ address: string }> }) {
  await requirePagePermission("sessions.read");
  const address = addressParam((await params).address);
  const usage = address ? await ipUsage(dbRead(), address) : null;
  if (!usage) notFound();
  const recent = await listVpnSessions(dbRead(), VpnSessionQuerySchema.parse({ ip: usage.ip, limit: 20 }));
  return (
    <div className="space-y-4">
      <Breadcrumb root={{ href: "/activity", label: "VPN activity" }} current={usage.ip} />
      <section className="card space-y-2">
        <h1 className="font-mono text-xl font-semibold break-all">{usage.ip}</h1>
        <dl className="grid grid-cols-1 gap-1 text-sm sm:grid-cols-[10rem_1fr]">
          <dt className="text-slate-600">Location</dt>
          <dd data-testid="ip-location">{usage.location}</dd>
          <dt className="text-slate-600">Network</dt>
          <dd data-testid="ip-network">
            {usage.asn === null ? (
              "unknown owner"
            ) : (
              <NetworkOwnerNote asn={usage.asn} organization={usage.asOrganization} hosting={usage.hosting} />
            )}
          </dd>
          <dt className="text-slate-600">Sessions</dt>
          <dd>
            <Link href={`/activity?ip=${encodeURIComponent(usage.ip)}`} className="text-sky-700 hover:underline">
              {usage.sessions.toLocaleString("en")}
            </Link>
          </dd>
          <dt className="text-slate-600">First seen</dt>
          <dd>
            <LocalTime iso={usage.firstSeen} />
          </dd>
          <dt className="text-slate-600">Last seen</dt>
          <dd>
            <LocalTime iso={usage.lastSeen} />
          </dd>
        </dl>
        {usage.identities.length > 1 && (
          <p className="rounded bg-amber-50 p-2 text-sm text-amber-900" data-testid="shared-ip">
            Used by {usage.identities.length} identities: shared attacker infrastructure, or a shared NAT or proxy.
          </p>
        )}
      </section>
      {usage.latitude !== null && usage.longitude !== null && (
        <section className="card">
          <WorldMap
            markers={[
              {
                key: usage.ip,
                label: usage.location,
                latitude: usage.latitude,
                longitude: usage.longitude,
                sessions: usage.sessions,
              },
            ]}
          />
        </section>
      )}
      <section className="card overflow-x-auto">
        <h2 className="mb-2 text-lg font-semibold">Identities that used it</h2>
        <IdentityUsageTable label="Identities of this IP" identities={usage.identities} />
      </section>
      <section className="card overflow-x-auto">
        <h2 className="mb-2 text-lg font-semibold">Recent sessions</h2>
        <ul className="space-y-1 text-sm">
          {recent.items.map((x) => (
            <li key={x.id}>
              <LocalTime iso={x.startedAt} /> —{" "}
              <Link href={`/identities/${encodeURIComponent(x.identity)}`} className="text-sky-700 hover:underline">
                {x.identity}
              </Link>{" "}
              ({x.status})
            </li>
          ))}
        </ul>
        <Link href={`/activity?ip=${encodeURIComponent(usage.ip)}`} className="text-sm text-sky-700 hover:underline">
          All its sessions →
        </Link>
      </section>
    </div>
  );
}
