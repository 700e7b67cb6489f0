import { requirePagePermission } from "@/lib/auth/page-guard";
import { can } from "@/lib/auth/permissions";
import { db } from "@/lib/db/prisma";
import { listExclusions } from "@/lib/alerts/exclusions.ts";
import {
  BASELINE_RULES,
  DIRECTORY_RULES,
  RULES,
  detectionSettingsFromEnv,
  learningRuleText,
} from "@/lib/alerts/detections.ts";
import { Breadcrumb } from "@/app/_components/breadcrumb";
import { ExclusionsManager } from "./exclusions-manager";

export const metadata = { title: "Detections · Settings · VPN Sight" };

export default async function DetectionsPage() {
  const principal = await requirePagePermission("alerts.read");
  const settings = detectionSettingsFromEnv();
  const { items } = await listExclusions(db());
  return (
    <div className="space-y-4">
      <Breadcrumb root={{ href: "/settings", label: "Settings" }} current="Detections" />
      <section className="card space-y-2">
        <h1 className="text-xl font-semibold">Detections</h1>
        <ul className="list-disc space-y-1 pl-5 text-sm">
          {Object.entries(RULES).map(([id, r]) => (
            <li key={id}>
              <span className="font-medium">{r.title}</span> ({r.severity}, MITRE ATT&amp;CK {r.mitre}):{" "}
              {(BASELINE_RULES as readonly string[]).includes(id)
                ? `once ${learningRuleText(settings)}`
                : "from an identity's first sessions"}
              {(DIRECTORY_RULES as readonly string[]).includes(id) ? ", where a directory is configured" : ""}.
            </li>
          ))}
        </ul>
        <p className="text-sm text-slate-600">
          Rules that fire on the same session make one alert, the others listed inside. A sensitive directory
          account&apos;s alerts are one severity higher.
        </p>
      </section>
      <section className="card space-y-3">
        <h2 className="text-lg font-semibold">Exclusions</h2>
        <p className="text-sm text-slate-600">
          Known cases the detector does not alert on: a corporate egress IP, a travelling team, a NAS that reports odd
          places. Every field given must match the session; each exclusion applies to one rule or to all.
        </p>
        <ExclusionsManager
          items={items}
          canWrite={can(principal.role, "exclusions.write")}
          rules={Object.entries(RULES).map(([id, r]) => [id, r.title] as const)}
        />
      </section>
    </div>
  );
}
