import type { Db } from "../db/prisma.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { decodeCursor, encodeCursor } from "../api/cursor.ts";
import { locationLabel } from "../geo/location.ts";
import { toApiVendor, type VendorId } from "../radius/vendors.ts";
import { ACTIVITY_TYPES, NAS_LABEL, sessionFilterSql, type ActivitiesQuery } from "./views.ts";

// The profile's timeline: one row per session (start, end or still open, duration, bytes, IPs), its accounting
// records inside. The event list (identityActivities) stays the API's and the CSV's.

export interface TimelineSession {
  id: string;
  startedAt: string;
  /** null while open. */
  endedAt: string | null;
  status: string;
  /** The counters are as of this (the session's last accounting record). */
  lastUpdateAt: string;
  durationSeconds: number | null;
  publicIp: string | null;
  /** The public IP's network owner. */
  asn: number | null;
  asOrganization: string | null;
  hosting: boolean | null;
  assignedIp: string | null;
  location: string;
  nas: string;
  vendor: string;
  inputBytes: string;
  outputBytes: string;
  terminateCause: string | null;
  events: {
    type: keyof typeof ACTIVITY_TYPES;
    time: string;
    publicIp: string | null;
    inputBytes: string;
    outputBytes: string;
  }[];
}

/** Sessions that were live in the range (started before its end, last heard of after its start), newest first. */
export async function identitySessionTimeline(db: Db, identity: string, q: ActivitiesQuery, now = new Date()) {
  const since = q.since ? new Date(q.since) : new Date(now.getTime() - (q.days ?? 30) * 86_400_000);
  const conditions = [Prisma.sql`s.identity = ${identity}`, Prisma.sql`s."lastUpdateAt" >= ${since}`];
  if (q.until) conditions.push(Prisma.sql`s."startedAt" < ${new Date(q.until)}`);
  conditions.push(...sessionFilterSql(q));
  if (q.cursor) {
    const after = decodeCursor(q.cursor);
    conditions.push(Prisma.sql`(s."startedAt", s.id) < (${after.time}, ${after.id})`);
  }
  const rows = await db.$queryRaw<
    {
      id: bigint;
      sessionKey: string;
      startedAt: Date;
      endedAt: Date | null;
      lastUpdateAt: Date;
      status: string;
      durationSeconds: number | null;
      publicIp: string | null;
      asn: number | null;
      asOrganization: string | null;
      hosting: boolean | null;
      assignedIp: string | null;
      locationKind: string | null;
      country: string | null;
      region: string | null;
      city: string | null;
      nasLabel: string;
      vendor: VendorId;
      inputBytes: bigint;
      outputBytes: bigint;
      terminateCause: string | null;
    }[]
  >`
    SELECT s.id, s."sessionKey", s."startedAt", s."endedAt", s."lastUpdateAt", s.status::text AS status, s."durationSeconds",
           s."publicIp", s.asn, s."asOrganization", s.hosting, s."assignedIp", s."locationKind", s.country, s.region, s.city, ${NAS_LABEL} AS "nasLabel",
           s.vendor, s."inputBytes", s."outputBytes", s."terminateCause"
    FROM "VpnSession" s
    WHERE ${Prisma.join(conditions, " AND ")}
    ORDER BY s."startedAt" DESC, s.id DESC
    LIMIT ${q.limit + 1}`;
  const page = rows.slice(0, q.limit);
  // Through the (identity, eventTime) index: the timeline rows have no index by session, and a session's records
  // come at or after its start (a day's margin for a NAS whose records disagree with its Start).
  const firstStart = Math.min(...page.map((r) => r.startedAt.getTime()));
  const events = page.length
    ? await db.vpnSessionEvent.findMany({
        where: {
          identity,
          eventTime: { gte: new Date(firstStart - 86_400_000) },
          sessionId: { in: page.map((r) => r.id) },
        },
        orderBy: [{ eventTime: "asc" }, { id: "asc" }],
        select: { sessionId: true, kind: true, eventTime: true, publicIp: true, inputBytes: true, outputBytes: true },
      })
    : [];
  const items: TimelineSession[] = page.map((r) => ({
    id: r.id.toString(),
    startedAt: r.startedAt.toISOString(),
    endedAt: r.endedAt?.toISOString() ?? null,
    status: r.status,
    lastUpdateAt: r.lastUpdateAt.toISOString(),
    durationSeconds:
      r.durationSeconds ?? Math.round(((r.endedAt ?? r.lastUpdateAt).getTime() - r.startedAt.getTime()) / 1000),
    publicIp: r.publicIp,
    asn: r.asn,
    asOrganization: r.asOrganization,
    hosting: r.hosting,
    assignedIp: r.assignedIp,
    location: locationLabel(r.locationKind, r.country, r.region, r.city),
    nas: r.nasLabel,
    vendor: toApiVendor(r.vendor),
    inputBytes: r.inputBytes.toString(),
    outputBytes: r.outputBytes.toString(),
    terminateCause: r.terminateCause,
    events: events
      .filter((e) => e.sessionId === r.id)
      .map((e) => ({
        type: e.kind as keyof typeof ACTIVITY_TYPES,
        time: e.eventTime.toISOString(),
        publicIp: e.publicIp,
        inputBytes: e.inputBytes.toString(),
        outputBytes: e.outputBytes.toString(),
      })),
  }));
  const last = page.at(-1);
  return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(last.startedAt, last.id) : null };
}
