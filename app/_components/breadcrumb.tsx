import Link from "next/link";

/** "Parent › … › Current": the first step links back (Settings, Identities, Alerts); middle steps are plain labels. */
export function Breadcrumb({
  root,
  steps = [],
  current,
}: {
  root: { href: string; label: string };
  steps?: string[];
  current: string;
}) {
  return (
    <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
      <Link href={root.href} className="hover:underline">
        {root.label}
      </Link>
      {steps.map((s) => ` › ${s}`).join("")} › <span className="text-slate-800">{current}</span>
    </nav>
  );
}

export const SETTINGS = { href: "/settings", label: "Settings" };
