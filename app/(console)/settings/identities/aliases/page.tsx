import { requirePagePermission } from "@/lib/auth/page-guard";
import { can } from "@/lib/auth/permissions";
import { db } from "@/lib/db/prisma";
import { listIdentityMappings, unmappedDomains } from "@/lib/identities/aliases.ts";
import { MappingsManager } from "./mappings-manager";
import { Breadcrumb, SETTINGS } from "@/app/_components/breadcrumb";

export const metadata = { title: "Aliases · Settings · VPN Sight" };

export default async function AliasesPage() {
  const principal = await requirePagePermission("identities.read");
  const [{ aliases, domains }, suggestions] = await Promise.all([listIdentityMappings(db()), unmappedDomains(db())]);
  return (
    <div className="space-y-4">
      <Breadcrumb root={SETTINGS} steps={["Identities"]} current="Aliases" />
      <h1 className="text-xl font-semibold">Identity aliases and domains</h1>
      <p className="text-sm text-slate-600">
        VPN servers send names as <code>user@domain</code>, <code>DOMAIN\user</code> or alternate UPNs. Map them to one
        identity: past sessions and alerts are moved to it (the form says how many first), the old addresses redirect to
        it, and the sensor resolves new ones the same way.
      </p>
      <MappingsManager
        aliases={aliases.map((a) => ({ alias: a.alias, identity: a.identity }))}
        domains={domains.map((d) => ({ netbiosDomain: d.netbiosDomain, upnSuffix: d.upnSuffix }))}
        suggestions={suggestions}
        canManage={can(principal.role, "identities.manage")}
      />
    </div>
  );
}
