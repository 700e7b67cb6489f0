import Link from "next/link";
import { requirePagePermission } from "@/lib/auth/page-guard";
import { can, type Permission } from "@/lib/auth/permissions";

export const metadata = { title: "Settings · VPN Sight" };

const SECTIONS: { href: string; title: string; text: string; permission: Permission }[] = [
  {
    href: "/settings/identities/vpn",
    title: "Identities › VPN",
    text: "RADIUS accounting, shared secret, RADIUS clients, sensors.",
    permission: "vpn.read",
  },
  {
    href: "/settings/identities/aliases",
    title: "Identities › Aliases",
    text: "Alternate UPNs and NetBIOS domains that belong to one identity.",
    permission: "identities.read",
  },
  {
    href: "/settings/identities/directory",
    title: "Identities › Directory",
    text: "Active Directory: the connection the accounts are read from.",
    permission: "identities.read",
  },
  {
    href: "/settings/health",
    title: "Health",
    text: "Ingestion failures, silent RADIUS clients, sensors not reporting, spool, directory sync.",
    permission: "vpn.read",
  },
  {
    href: "/settings/detections",
    title: "Detections",
    text: "The rules, when they apply, and exclusions for known cases.",
    permission: "alerts.read",
  },
  {
    href: "/settings/alerts",
    title: "Alerts forwarding",
    text: "Send new alerts to a SIEM: syslog CEF or a signed webhook.",
    permission: "vpn.read",
  },
  {
    href: "/settings/users",
    title: "Users",
    text: "Who can sign in, and with which role.",
    permission: "users.manage",
  },
  { href: "/settings/tokens", title: "API tokens", text: "Bearer tokens for the API.", permission: "tokens.manage" },
  {
    href: "/settings/audit",
    title: "Audit log",
    text: "Every change to settings, secrets, clients, users and tokens.",
    permission: "audit.read",
  },
  { href: "/settings/account", title: "Your account", text: "Change your password.", permission: "account.manage" },
];

export default async function SettingsPage() {
  const principal = await requirePagePermission("vpn.read");
  return (
    <div className="space-y-4">
      <h1 className="text-xl font-semibold">Settings</h1>
      <ul className="grid gap-3 sm:grid-cols-2">
        {SECTIONS.filter((s) => can(principal.role, s.permission)).map((s) => (
          <li key={s.href}>
            <Link href={s.href} className="card block hover:border-sky-400">
              <span className="font-medium">{s.title}</span>
              <span className="mt-1 block text-sm text-slate-600">{s.text}</span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
