import type { Db } from "../db/prisma.ts";
import { locationLabel } from "../geo/location.ts";
import { parseIpOrCidr } from "../net/cidr.ts";

interface IdentityUse {
  identity: string;
  sessions: number;
  firstSeen: Date;
  lastSeen: Date;
}

/** Totals over the identities that used an address or a network, and the identities themselves as JSON. */
function summed(identities: IdentityUse[]) {
  return {
    sessions: identities.reduce((n, i) => n + i.sessions, 0),
    firstSeen: new Date(Math.min(...identities.map((i) => i.firstSeen.getTime()))).toISOString(),
    lastSeen: new Date(Math.max(...identities.map((i) => i.lastSeen.getTime()))).toISOString(),
    identities: identities.map((i) => ({
      identity: i.identity,
      sessions: i.sessions,
      firstSeen: i.firstSeen.toISOString(),
      lastSeen: i.lastSeen.toISOString(),
    })),
  };
}

/**
 * One public IP across identities (the /ip/{address} page): where it is and who owns its network, as stored with its
 * latest session, and every identity that used it with counts and first/last seen. Null when no session came from it.
 */
export async function ipUsage(db: Db, address: string) {
  const block = parseIpOrCidr(address);
  if (!block || address.includes("/")) return null;
  const ip = block.address;
  const [latest, identities] = await Promise.all([
    db.vpnSession.findFirst({ where: { publicIp: ip }, orderBy: { startedAt: "desc" } }),
    db.$queryRaw<IdentityUse[]>`
      SELECT identity, count(*)::int AS sessions, min("startedAt") AS "firstSeen", max("lastUpdateAt") AS "lastSeen"
        FROM "VpnSession" WHERE "publicIp" = ${ip} GROUP BY identity ORDER BY "lastSeen" DESC LIMIT 500`,
  ]);
  if (!latest) return null;
  return {
    ip,
    location: locationLabel(latest.locationKind, latest.country, latest.region, latest.city),
    countryCode: latest.countryCode,
    latitude: latest.latitude,
    longitude: latest.longitude,
    asn: latest.asn,
    asOrganization: latest.asOrganization,
    hosting: latest.hosting,
    ...summed(identities),
  };
}

/** For an identity's IPs: how many other identities used each (only those used by others). */
export async function sharedIps(db: Db, identity: string, ips: string[]): Promise<Map<string, number>> {
  if (!ips.length) return new Map();
  const rows = await db.$queryRaw<{ ip: string; others: number }[]>`
    SELECT "publicIp" AS ip, count(DISTINCT identity)::int AS others FROM "VpnSession"
     WHERE "publicIp" = ANY(${ips}::text[]) AND identity <> ${identity} GROUP BY 1`;
  return new Map(rows.map((r) => [r.ip, r.others]));
}

/** One network (autonomous system) across identities (the /network/{asn} page), or null when no session came from it. */
export async function networkUsage(db: Db, asn: number) {
  if (!Number.isInteger(asn) || asn < 1 || asn > 2_147_483_647) return null;
  const [latest, identities, ips] = await Promise.all([
    db.vpnSession.findFirst({ where: { asn }, orderBy: { startedAt: "desc" } }),
    db.$queryRaw<IdentityUse[]>`
      SELECT identity, count(*)::int AS sessions, min("startedAt") AS "firstSeen", max("lastUpdateAt") AS "lastSeen"
        FROM "VpnSession" WHERE asn = ${asn} GROUP BY identity ORDER BY "lastSeen" DESC LIMIT 500`,
    db.$queryRaw<{ ip: string; sessions: number; identities: number }[]>`
      SELECT "publicIp" AS ip, count(*)::int AS sessions, count(DISTINCT identity)::int AS identities
        FROM "VpnSession" WHERE asn = ${asn} AND "publicIp" IS NOT NULL GROUP BY 1 ORDER BY 2 DESC LIMIT 100`,
  ]);
  if (!latest) return null;
  return {
    asn,
    organization: latest.asOrganization,
    hosting: latest.hosting,
    ...summed(identities),
    ips,
  };
}
