import type { Db } from "../db/prisma.ts";
import { locationLabel } from "../geo/location.ts";
import { toApiVendor } from "../radius/vendors.ts";
import type { EvidenceView } from "./evidence.ts";

// The sessions an alert is about, as the alert's JSON (`sessions`) and page show them: the evidence names them, the
// stored session adds its NAS, vendor, end and bytes. A session retention removed still shows what the evidence kept.

export type SessionRole = "trigger" | "previous" | "concurrent" | "repeat";

interface Named {
  sessionKey: string;
  role: SessionRole;
  startedAt: string | null;
  publicIp: string | null;
  location: string;
  countryCode: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** Every session the evidence names, each once: the one that raised it, the other of each pair, then the repeats. */
export function evidenceSessions(e: EvidenceView): Named[] {
  if (e.rule === "other") return [];
  const out: Named[] = [];
  const add = (role: SessionRole, s: Omit<Named, "role" | "startedAt"> & { startedAt?: string | null }) => {
    if (!out.some((o) => o.sessionKey === s.sessionKey))
      out.push({
        role,
        sessionKey: s.sessionKey,
        startedAt: s.startedAt ?? null,
        publicIp: s.publicIp,
        location: s.location,
        countryCode: s.countryCode,
        latitude: s.latitude ?? null,
        longitude: s.longitude ?? null,
      });
  };
  add("trigger", e.session);
  for (const f of [e, ...e.also]) {
    if (f.rule === "impossible-travel") add("previous", { ...f.previous, startedAt: null });
    if (f.rule === "concurrent-countries")
      for (const c of f.concurrent)
        add("concurrent", { ...c, latitude: c.latitude ?? null, longitude: c.longitude ?? null });
  }
  for (const r of e.repeats) add("repeat", r);
  return out;
}

export interface AlertSession {
  sessionKey: string;
  role: SessionRole;
  startedAt: string | null;
  endedAt: string | null;
  durationSeconds: number | null;
  status: string | null;
  publicIp: string | null;
  location: string;
  countryCode: string | null;
  latitude: number | null;
  longitude: number | null;
  /** NAS-IP-Address, else NAS-Identifier, else the address the NAS sent from (as the profile names it). */
  nas: string | null;
  nasNames: string[];
  /** The public IP's network owner (null when unknown, or the session is gone). */
  asn: number | null;
  asOrganization: string | null;
  hosting: boolean | null;
  vendor: string | null;
  inputBytes: string | null;
  outputBytes: string | null;
}

/** The sessions of many alerts in one query. */
export async function alertSessions(db: Db, views: EvidenceView[]): Promise<AlertSession[][]> {
  const named = views.map(evidenceSessions);
  const keys = [...new Set(named.flat().map((n) => n.sessionKey))];
  const rows = keys.length ? await db.vpnSession.findMany({ where: { sessionKey: { in: keys } } }) : [];
  const stored = new Map(rows.map((r) => [r.sessionKey, r]));
  return named.map((list) =>
    list.map((n) => {
      const s = stored.get(n.sessionKey);
      if (!s)
        return {
          ...n,
          endedAt: null,
          durationSeconds: null,
          status: null,
          nas: null,
          nasNames: [],
          asn: null,
          asOrganization: null,
          hosting: null,
          vendor: null,
          inputBytes: null,
          outputBytes: null,
        };
      const end = s.endedAt ?? (s.status === "open" ? null : s.lastUpdateAt);
      return {
        sessionKey: n.sessionKey,
        role: n.role,
        startedAt: s.startedAt.toISOString(),
        endedAt: s.endedAt?.toISOString() ?? null,
        durationSeconds: s.durationSeconds ?? (end ? Math.round((end.getTime() - s.startedAt.getTime()) / 1000) : null),
        status: s.status,
        publicIp: s.publicIp,
        location: locationLabel(s.locationKind, s.country, s.region, s.city),
        countryCode: s.countryCode,
        latitude: s.latitude,
        longitude: s.longitude,
        nas: s.nasIp ?? s.nasIdentifier ?? s.sourceIp,
        nasNames: [s.nasIp, s.nasIdentifier, s.sourceIp].filter((x): x is string => Boolean(x)),
        asn: s.asn,
        asOrganization: s.asOrganization,
        hosting: s.hosting,
        vendor: toApiVendor(s.vendor),
        inputBytes: s.inputBytes.toString(),
        outputBytes: s.outputBytes.toString(),
      };
    }),
  );
}
