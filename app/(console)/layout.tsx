import Link from "next/link";
import type { ReactNode } from "react";
import { requirePagePermission } from "@/lib/auth/page-guard";
import { SignOutButton } from "../_components/sign-out-button";
import { NavLink } from "../_components/nav-link";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const principal = await requirePagePermission("console.view");
  return (
    <div className="flex min-h-screen flex-col">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:bg-white focus:p-2"
      >
        Skip to content
      </a>
      <header className="border-b border-slate-800 bg-slate-900 text-slate-100">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <Link href="/" className="text-lg font-semibold tracking-tight">
            VPN Sight
          </Link>
          <nav aria-label="Main" className="flex flex-wrap gap-1 text-sm">
            <NavLink href="/">Overview</NavLink>
            <NavLink href="/identities">Identities</NavLink>
            <NavLink href="/activity">Activity</NavLink>
            <NavLink href="/alerts">Alerts</NavLink>
            <NavLink href="/settings">Settings</NavLink>
          </nav>
          <div className="ml-auto flex items-center gap-3 text-sm">
            <Link href="/settings/account" data-testid="current-user" className="hover:underline" title="Your account">
              {principal.name}
            </Link>
            <span
              className="rounded bg-slate-700 px-2 py-0.5 text-xs uppercase tracking-wide"
              data-testid="current-role"
            >
              {principal.role}
            </span>
            <SignOutButton />
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto w-full max-w-6xl flex-1 px-4 py-6">
        {children}
      </main>
      <footer className="border-t border-slate-200 py-3 text-center text-xs text-slate-500">
        <a href="https://db-ip.com" className="underline" rel="noopener noreferrer">
          IP geolocation by DB-IP
        </a>{" "}
        (DB-IP Lite, CC BY 4.0) · Network owners from{" "}
        <a href="https://www.routeviews.org/routeviews/" className="underline" rel="noopener noreferrer">
          RouteViews
        </a>
        ,{" "}
        <a href="https://www.nro.net/" className="underline" rel="noopener noreferrer">
          NRO
        </a>{" "}
        and DB-IP ASN Lite (CC BY 4.0)
      </footer>
    </div>
  );
}
