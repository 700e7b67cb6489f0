import Link from "next/link";
import { notFound } from "next/navigation";
import { requirePagePermission } from "@/lib/auth/page-guard";
import { dbRead } from "@/lib/db/prisma";
import { networkUsage } from "@/lib/sessions/ip-usage.ts";
import { Breadcrumb } from "@/app/_components/breadcrumb";
import { IdentityUsageTable } from "@/app/_components/identity-usage-table";
import { LocalTime } from "@/app/_components/local-time";
import { IpLink } from "@/app/_components/network-owner";

/** "15169" or "AS15169": the number, or null. */
const asnParam = (raw: string) => (/^(AS)?\d{1,10}$/i.test(raw) ? Number(raw.replace(/^AS/i, "")) : null);

export async function generateMetadata({ params }: { params: Promise<{ asn: string }> }) {
  const asn = asnParam((await params).asn);
  return { title: `${asn ? `AS${asn}` : "Network"} · VPN Sight` };
}

/** One network: its owner, every identity that connected from it, its addresses. */
export default async function NetworkPage({ params }: { params: Promise<{ asn: string }> }) {
  await requirePagePermission("sessions.read");
  const asn = asnParam((await params).asn);
  const usage = asn ? await networkUsage(dbRead(), asn) : null;
  if (!usage) notFound();
  return (
    <div className="space-y-4">
      <Breadcrumb root={{ href: "/activity", label: "VPN activity" }} current={`AS${usage.asn}`} />
      <section className="card space-y-2">
        <h1 className="text-xl font-semibold">
          AS{usage.asn} {usage.organization}
          {usage.hosting ? (
            <span className="ml-2 rounded bg-amber-100 px-1.5 text-sm font-semibold text-amber-800">hosting</span>
          ) : null}
        </h1>
        <dl className="grid grid-cols-1 gap-1 text-sm sm:grid-cols-[10rem_1fr]">
          <dt className="text-slate-600">Sessions</dt>
          <dd>
            <Link href={`/activity?asn=${usage.asn}`} className="text-sky-700 hover:underline">
              {usage.sessions.toLocaleString("en")}
            </Link>
          </dd>
          <dt className="text-slate-600">Identities</dt>
          <dd data-testid="network-identities">{usage.identities.length.toLocaleString("en")}</dd>
          <dt className="text-slate-600">First seen</dt>
          <dd>
            <LocalTime iso={usage.firstSeen} />
          </dd>
          <dt className="text-slate-600">Last seen</dt>
          <dd>
            <LocalTime iso={usage.lastSeen} />
          </dd>
        </dl>
      </section>
      <section className="card overflow-x-auto">
        <h2 className="mb-2 text-lg font-semibold">Identities that connected from it</h2>
        <IdentityUsageTable label="Identities of this network" identities={usage.identities} />
      </section>
      <section className="card overflow-x-auto">
        <h2 className="mb-2 text-lg font-semibold">Its addresses</h2>
        <table className="data-table" aria-label="Addresses of this network">
          <thead>
            <tr>
              <th>Public IP</th>
              <th>Sessions</th>
              <th>Identities</th>
            </tr>
          </thead>
          <tbody>
            {usage.ips.map((x) => (
              <tr key={x.ip}>
                <td className="font-mono text-xs">
                  <IpLink ip={x.ip} />
                </td>
                <td>{x.sessions}</td>
                <td>{x.identities}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
