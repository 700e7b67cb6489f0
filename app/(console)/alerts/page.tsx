import { requirePagePermission } from "@/lib/auth/page-guard";

export const metadata = { title: "Alerts · VPN Sight" };

export default async function AlertsPage() {
  await requirePagePermission("alerts.read");
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Alerts</h1>
      <div className="card text-sm text-slate-600">No alerts.</div>
    </div>
  );
}
