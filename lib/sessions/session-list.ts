import { z } from "zod";
import type { Db } from "../db/prisma.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { decodeCursor, encodeCursor } from "../api/cursor.ts";
import { toApiVendor } from "../radius/vendors.ts";
import { isoDateTime, wholeNumber } from "../api/params.ts";

export const VpnSessionQuerySchema = z.object({
  identity: z.string().trim().toLowerCase().min(1).max(320).optional().describe("Primary identity (lowercase UPN)"),
  since: isoDateTime("since").optional().describe("Sessions started at or after"),
  until: isoDateTime("until").optional().describe("Sessions started before"),
  status: z.enum(["open", "closed", "stale"], { error: "status must be open, closed or stale." }).optional(),
  nas: z.string().trim().min(1).max(255).optional().describe("NAS-IP-Address or NAS-Identifier"),
  limit: wholeNumber("limit", 1, 1000).default(50),
  cursor: z.string().max(200).optional().describe("nextCursor of the previous page"),
});
export type VpnSessionQuery = z.output<typeof VpnSessionQuerySchema>;

type SessionRow = Prisma.VpnSessionGetPayload<object>;

export function vpnSessionToJson(s: SessionRow) {
  return {
    id: s.id.toString(),
    identity: s.identity,
    userName: s.userName,
    vendor: toApiVendor(s.vendor),
    nasIp: s.nasIp,
    nasIdentifier: s.nasIdentifier,
    acctSessionId: s.acctSessionId,
    publicIp: s.publicIp,
    asn: s.asn,
    asOrganization: s.asOrganization,
    hosting: s.hosting,
    assignedIp: s.assignedIp,
    locationKind: s.locationKind,
    location:
      s.locationKind === "geo"
        ? {
            countryCode: s.countryCode,
            country: s.country,
            region: s.region,
            city: s.city,
            latitude: s.latitude,
            longitude: s.longitude,
          }
        : null,
    startedAt: s.startedAt.toISOString(),
    lastUpdateAt: s.lastUpdateAt.toISOString(),
    endedAt: s.endedAt?.toISOString() ?? null,
    durationSeconds: s.durationSeconds,
    inputBytes: s.inputBytes.toString(),
    outputBytes: s.outputBytes.toString(),
    terminateCause: s.terminateCause,
    status: s.status,
  };
}

export async function listVpnSessions(db: Db, query: VpnSessionQuery) {
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  const where: Prisma.VpnSessionWhereInput = {
    ...(query.identity ? { identity: query.identity } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.nas
      ? { OR: [{ nasKey: query.nas }, { nasIp: query.nas }, { nasIdentifier: query.nas }, { sourceIp: query.nas }] }
      : {}),
    startedAt: {
      ...(query.since ? { gte: new Date(query.since) } : {}),
      ...(query.until ? { lt: new Date(query.until) } : {}),
    },
    ...(after
      ? { AND: [{ OR: [{ startedAt: { lt: after.time } }, { startedAt: after.time, id: { lt: after.id } }] }] }
      : {}),
  };
  const rows = await db.vpnSession.findMany({
    where,
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(vpnSessionToJson),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.startedAt, last.id) : null,
  };
}
