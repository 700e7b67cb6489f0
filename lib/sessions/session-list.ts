import { z } from "zod";
import type { Db } from "../db/prisma.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { validationError } from "../errors.ts";
import { formatIpBlock, parseIpOrCidr } from "../net/cidr.ts";
import { isKnownAsn } from "../geo/known-asns.ts";
import { identitySearchSql } from "../identities/views.ts";
import { CSV_ROW_CAP, csvStream } from "../api/csv.ts";
import { decodeCursor, encodeCursor } from "../api/cursor.ts";
import { API_VENDORS, fromApiVendor, toApiVendor } from "../radius/vendors.ts";
import { isoDateTime, wholeNumber } from "../api/params.ts";

const DAY = 86_400_000;
/** The longest range a query may span: the profile's longest, and what RETENTION_DAYS keeps by default. */
export const MAX_RANGE_DAYS = 180;

export const VpnSessionQuerySchema = z
  .object({
    identity: z
      .string()
      .trim()
      .toLowerCase()
      .min(1)
      .max(320)
      .optional()
      .describe("UPN, alias or DOMAIN\\user (substring), as the identities search"),
    since: isoDateTime("since").optional().describe("Sessions started at or after"),
    until: isoDateTime("until").optional().describe("Sessions started before"),
    country: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{2}$/, "country is a two-letter ISO country code (GB).")
      .transform((c) => c.toUpperCase())
      .optional(),
    city: z.string().trim().min(1).max(200).optional().describe("The city, as the location names it"),
    ip: z
      .string()
      .trim()
      .max(64)
      .transform((v, ctx) => {
        const block = parseIpOrCidr(v);
        if (block) return formatIpBlock(block);
        ctx.addIssue({ code: "custom", message: "ip is an IP address or a CIDR block (203.0.113.0/24)." });
        return z.NEVER;
      })
      .optional()
      .describe("The public IP, or a CIDR block it lies in"),
    asn: z.coerce
      .number({ error: "asn is an autonomous system number (15169)." })
      .int({ error: "asn is an autonomous system number (15169)." })
      .min(1, { error: "asn is an autonomous system number (15169)." })
      .max(4_294_967_295, { error: "asn is an autonomous system number (15169)." })
      .optional()
      .describe("The public IP's autonomous system"),
    network: z.string().trim().min(1).max(200).optional().describe("The network owner's name (substring)"),
    hosting: z
      .stringbool({ error: "hosting is true or false." })
      .optional()
      .describe("true: only sessions from hosting or cloud providers' networks; false: only the others"),
    vendor: z.enum(API_VENDORS, { error: `vendor is ${API_VENDORS.join(", ")}.` }).optional(),
    status: z.enum(["open", "closed", "stale"], { error: "status must be open, closed or stale." }).optional(),
    nas: z.string().trim().min(1).max(255).optional().describe("NAS-IP-Address or NAS-Identifier"),
    limit: wholeNumber("limit", 1, 1000).default(50),
    cursor: z.string().max(200).optional().describe("nextCursor of the previous page"),
    format: z
      .enum(["json", "csv"], { error: "format is json or csv." })
      .optional()
      .describe(`csv: every filtered session as a file (at most ${CSV_ROW_CAP.toLocaleString("en")} rows)`),
  })
  .refine(
    (q) => !q.since || (q.until ? Date.parse(q.until) : Date.now()) - Date.parse(q.since) <= MAX_RANGE_DAYS * DAY,
    { error: `A range spans at most ${MAX_RANGE_DAYS} days.`, path: ["since"] },
  )
  .refine((q) => !q.since || !q.until || Date.parse(q.since) < Date.parse(q.until), {
    error: "since must be before until.",
    path: ["until"],
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

/** The filters as SQL on the session (aliased `s`); an ASN no dataset knows is refused, not answered empty. */
async function sessionConditions(db: Db, q: VpnSessionQuery): Promise<Prisma.Sql[]> {
  const c: Prisma.Sql[] = [];
  if (q.identity) c.push(await identitySearchSql(db, q.identity, Prisma.raw("s.identity")));
  if (q.since) c.push(Prisma.sql`s."startedAt" >= ${new Date(q.since)}`);
  if (q.until) c.push(Prisma.sql`s."startedAt" < ${new Date(q.until)}`);
  if (q.country) c.push(Prisma.sql`s."locationKind" = 'geo' AND s."countryCode" = ${q.country}`);
  if (q.city) c.push(Prisma.sql`lower(s.city) = lower(${q.city})`);
  if (q.ip) c.push(Prisma.sql`s."publicIp" IS NOT NULL AND s."publicIp"::inet <<= ${q.ip}::inet`);
  if (q.asn !== undefined) {
    if (!(await asnKnown(db, q.asn)))
      throw validationError(`AS${q.asn} is not a network the network-owner data knows.`);
    c.push(Prisma.sql`s.asn = ${q.asn}`);
  }
  if (q.network) c.push(Prisma.sql`s."asOrganization" ILIKE ${`%${q.network.replace(/[\\%_]/g, (x) => `\\${x}`)}%`}`);
  if (q.hosting !== undefined) c.push(q.hosting ? Prisma.sql`s.hosting IS TRUE` : Prisma.sql`s.hosting IS NOT TRUE`);
  if (q.vendor) c.push(Prisma.sql`s.vendor = ${fromApiVendor(q.vendor)}::"Vendor"`);
  if (q.status) c.push(Prisma.sql`s.status = ${q.status}::"SessionStatus"`);
  if (q.nas) c.push(Prisma.sql`${q.nas} IN (s."nasKey", s."nasIp", s."nasIdentifier", s."sourceIp")`);
  return c;
}

/** Known: in the network-owner data, or on a stored session. */
async function asnKnown(db: Db, asn: number): Promise<boolean> {
  if (isKnownAsn(asn)) return true;
  // Stored as a 32-bit signed integer: above it are only private and reserved numbers, never stored.
  if (asn > 2_147_483_647) return false;
  return (await db.vpnSession.count({ where: { asn }, take: 1 })) > 0;
}

export async function listVpnSessions(db: Db, query: VpnSessionQuery) {
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  const conditions = await sessionConditions(db, query);
  if (after) conditions.push(Prisma.sql`(s."startedAt", s.id) < (${after.time}, ${after.id})`);
  const ids = await db.$queryRaw<{ id: bigint }[]>`
    SELECT s.id FROM "VpnSession" s
    ${conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}` : Prisma.empty}
    ORDER BY s."startedAt" DESC, s.id DESC LIMIT ${query.limit + 1}`;
  const rows = await db.vpnSession.findMany({
    where: { id: { in: ids.slice(0, query.limit).map((r) => r.id) } },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
  });
  const last = rows.at(-1);
  return {
    items: rows.map(vpnSessionToJson),
    nextCursor: ids.length > query.limit && last ? encodeCursor(last.startedAt, last.id) : null,
  };
}

const CSV_COLUMNS = [
  "startedAt",
  "endedAt",
  "status",
  "identity",
  "userName",
  "publicIp",
  "countryCode",
  "city",
  "asn",
  "asOrganization",
  "hosting",
  "nas",
  "vendor",
  "assignedIp",
  "durationSeconds",
  "inputBytes",
  "outputBytes",
] as const;

/** The filtered sessions as CSV, newest first, streamed page by page, capped at CSV_ROW_CAP rows. */
export function vpnSessionsCsv(db: Db, query: VpnSessionQuery): ReadableStream<Uint8Array> {
  return csvStream(
    CSV_COLUMNS,
    (cursor, limit) => listVpnSessions(db, { ...query, cursor, limit }),
    (s, column) => {
      if (column === "countryCode") return s.location?.countryCode;
      if (column === "city") return s.location?.city;
      if (column === "nas") return s.nasIp ?? s.nasIdentifier;
      return s[column as keyof typeof s];
    },
    query.cursor,
  );
}
