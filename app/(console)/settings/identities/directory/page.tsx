import { requirePagePermission } from "@/lib/auth/page-guard";
import { can } from "@/lib/auth/permissions";
import { db } from "@/lib/db/prisma";
import { getDirectorySettings } from "@/lib/directory/settings";
import { Breadcrumb, SETTINGS } from "@/app/_components/breadcrumb";
import { DirectoryForm } from "./directory-form";

export const metadata = { title: "Directory · Settings · VPN Sight" };

export default async function DirectoryPage() {
  const principal = await requirePagePermission("identities.read");
  const view = await getDirectorySettings(db());
  return (
    <div className="space-y-4">
      <Breadcrumb root={SETTINGS} steps={["Identities"]} current="Directory" />
      <h1 className="text-xl font-semibold">Active Directory</h1>
      <p className="text-sm text-slate-600">
        Where VPN Sight reads the directory&apos;s accounts. Use LDAPS (or StartTLS on ldap://), a service account with
        read access, and the base DN of the users. The bind password is stored sealed and never shown again.
      </p>
      <DirectoryForm view={view} canManage={can(principal.role, "identities.manage")} />
    </div>
  );
}
