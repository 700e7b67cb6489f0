import Link from "next/link";
import { requirePagePermission } from "@/lib/auth/page-guard";

export const metadata = { title: "Identities · VPN Sight" };

export default async function IdentitiesPage() {
  await requirePagePermission("identities.read");
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Identities</h1>
      <div className="card text-sm text-slate-600">
        <p className="font-medium text-slate-800">No VPN activity yet.</p>
        <p className="mt-1">
          Identities appear here once your VPN servers send RADIUS accounting to VPN Sight. Turn it on in{" "}
          <Link href="/settings/identities/vpn" className="text-sky-700 underline">
            Settings › Identities › VPN
          </Link>
          .
        </p>
      </div>
    </div>
  );
}
