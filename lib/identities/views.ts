import { z } from "zod";
import { csvStream } from "../api/csv.ts";
export { CSV_ROW_CAP, csvCell } from "../api/csv.ts";
import type { Db } from "../db/prisma.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { GeoLocation } from "../geo/locator.ts";
import { decodeCursor, encodeCursor } from "../api/cursor.ts";
import { canonicalName, parseUserName } from "./resolve-identity.ts";
import { toApiVendor, type VendorId } from "../radius/vendors.ts";
import { isoDateTime, wholeNumber } from "../api/params.ts";
import { locationKey, locationLabel } from "../geo/location.ts";
import {
  ACCOUNT_SQL,
  accountContexts,
  NOT_IN_DIRECTORY,
  profileAccount,
  type AccountContext,
} from "../directory/account-context.ts";

// ---------- identities list ----------

/** The list's sort keys: last connection, name, and the 30-day counts (busiest or most travelled first). */
export const IDENTITY_SORTS = ["lastSeen", "identity", "sessions30d", "locations30d"] as const;
export type IdentitySort = (typeof IDENTITY_SORTS)[number];

/** The list's directory filters. */
export const ACCOUNT_FILTERS = ["sensitive", "disabled-or-expired", "not-in-directory"] as const;

export const IdentityListQuerySchema = z.object({
  q: z.string().trim().max(320).optional().describe("UPN, alias or DOMAIN\\user (substring)"),
  online: z
    .enum(["1", "true", "0", "false"])
    .optional()
    .transform((v) => v === "1" || v === "true")
    .describe("Only identities with open sessions"),
  account: z
    .enum(ACCOUNT_FILTERS, { error: `account is one of ${ACCOUNT_FILTERS.join(", ")}.` })
    .optional()
    .describe("Directory accounts: sensitive, disabled or expired, or names not in the directory"),
  sort: z.enum(IDENTITY_SORTS, { error: `sort is one of ${IDENTITY_SORTS.join(", ")}.` }).default("lastSeen"),
  dir: z.enum(["asc", "desc"]).default("desc"),
  page: wholeNumber("page", 1, 100_000).default(1),
  pageSize: wholeNumber("pageSize", 1, 200).default(50),
});
export type IdentityListQuery = z.output<typeof IdentityListQuerySchema>;

export interface IdentityListItem extends AccountContext {
  identity: string;
  lastSeen: string;
  lastLocation: LocationLabel | null;
  sessions30d: number;
  locations30d: number;
  onlineSessions: number;
}

export interface LocationLabel {
  kind: string;
  countryCode: string | null;
  country: string | null;
  city: string | null;
  label: string;
}

/** A `DOMAIN\user` search also finds the identity its domain maps to. */
async function searchKeys(db: Db, q: string): Promise<string[]> {
  const parsed = parseUserName(q);
  if (!parsed || parsed.form !== "netbios") return [];
  const mapping = await db.domainMapping.findUnique({ where: { netbiosDomain: parsed.domain } });
  return mapping
    ? [
        canonicalName(parsed, {
          netbiosToUpnSuffix: new Map([[parsed.domain, mapping.upnSuffix]]),
          aliasToPrimary: new Map(),
        }),
      ]
    : [];
}

/**
 * The identities search, for every list that filters by identity: a substring of the identity or of one of its
 * aliases, or a DOMAIN\user whose domain maps to it. `column` holds the identity in the caller's query.
 */
export async function identitySearchSql(db: Db, q: string, column: Prisma.Sql): Promise<Prisma.Sql> {
  const like = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const exact = await searchKeys(db, q);
  return Prisma.sql`(${column} LIKE ${like}
      OR ${column} IN (SELECT a.identity FROM "IdentityAlias" a WHERE a.alias LIKE ${like})
      ${exact.length ? Prisma.sql`OR ${column} IN (${Prisma.join(exact)})` : Prisma.empty})`;
}

/** Whether the identities search finds anything for `q` (an empty list can then say the true reason). */
export async function identityExists(db: Db, q: string): Promise<boolean> {
  const rows = await db.$queryRaw<unknown[]>`
    SELECT 1 FROM "Identity" i WHERE ${await identitySearchSql(db, q, Prisma.raw("i.identity"))} LIMIT 1`;
  return rows.length > 0;
}

export async function listIdentities(db: Db, query: IdentityListQuery, now = new Date()) {
  const conditions: Prisma.Sql[] = [];
  if (query.q) conditions.push(await identitySearchSql(db, query.q, Prisma.raw("i.identity")));
  const account = (rule: string) =>
    Prisma.raw(`EXISTS (SELECT 1 FROM "DirectoryAccount" d
                 WHERE d."userPrincipalName" = i.identity AND d."goneAt" IS NULL AND ${rule})`);
  if (query.account === "sensitive") conditions.push(account(ACCOUNT_SQL.sensitive));
  if (query.account === "disabled-or-expired") conditions.push(account(ACCOUNT_SQL.disabledOrExpired));
  if (query.account === "not-in-directory") conditions.push(Prisma.sql`NOT ${account("true")}`);
  if (query.online)
    conditions.push(
      Prisma.sql`EXISTS (SELECT 1 FROM "VpnSession" s WHERE s.identity = i.identity AND s.status = 'open')`,
    );
  const where = conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}` : Prisma.empty;
  const since = new Date(now.getTime() - 30 * 86_400_000);
  const dir = query.dir === "asc" ? "ASC" : "DESC";
  const byCount = query.sort === "sessions30d" || query.sort === "locations30d";
  const order = {
    identity: Prisma.raw(`i.identity ${dir}`),
    lastSeen: Prisma.raw(`i."lastSeenAt" ${dir}, i.identity`),
    sessions30d: Prisma.raw(`COALESCE(c.sessions, 0) ${dir}, i."lastSeenAt" DESC, i.identity`),
    locations30d: Prisma.raw(`COALESCE(c.locations, 0) ${dir}, i."lastSeenAt" DESC, i.identity`),
  }[query.sort];
  const offset = (query.page - 1) * query.pageSize;
  const location = Prisma.sql`COALESCE("locationKind", 'unknown'), "countryCode", city`;
  const sessionsAndLocations = Prisma.sql`
    count(*) FILTER (WHERE "startedAt" >= ${since})::int AS sessions,
    count(DISTINCT (${location})) FILTER (WHERE "startedAt" >= ${since})::int AS locations`;
  // The 30-day counts are not stored: sorting by them counts every identity's sessions of the last
  // 30 days (an index-only scan: the startedAt index includes these columns), only the count sorted
  // by; distinct locations as distinct (identity, location) pairs counted per identity, about 3 ×
  // faster than count(DISTINCT) per group. The other sorts count only the page's identities.
  const allCounts =
    query.sort === "sessions30d"
      ? Prisma.sql`SELECT identity, count(*)::int AS sessions FROM "VpnSession" WHERE "startedAt" >= ${since} GROUP BY identity`
      : Prisma.sql`SELECT identity, count(*)::int AS locations
          FROM (SELECT DISTINCT identity, ${location} FROM "VpnSession" WHERE "startedAt" >= ${since}) pairs GROUP BY identity`;
  const [rows, total] = await Promise.all([
    db.$queryRaw<
      {
        identity: string;
        lastSeenAt: Date;
        lastCountryCode: string | null;
        lastCountry: string | null;
        lastCity: string | null;
        lastLocationKind: string | null;
      }[]
    >`
      SELECT i.identity, i."lastSeenAt", i."lastCountryCode", i."lastCountry", i."lastCity", i."lastLocationKind"
      FROM "Identity" i ${byCount ? Prisma.sql`LEFT JOIN (${allCounts}) c USING (identity)` : Prisma.empty}
      ${where} ORDER BY ${order} LIMIT ${query.pageSize} OFFSET ${offset}`,
    db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "Identity" i ${where}`,
  ]);
  const ids = rows.map((r) => r.identity);
  // One grouped query for the whole page (no N+1), on the (identity, startedAt) index.
  const stats = ids.length
    ? await db.$queryRaw<{ identity: string; sessions: number; locations: number; online: number }[]>`
        SELECT identity, ${sessionsAndLocations}, count(*) FILTER (WHERE status = 'open')::int AS online
        FROM "VpnSession" WHERE identity IN (${Prisma.join(ids)}) AND ("startedAt" >= ${since} OR status = 'open')
        GROUP BY identity`
    : [];
  const byId = new Map(stats.map((s) => [s.identity, s]));
  const accounts = await accountContexts(db, ids);
  const items: IdentityListItem[] = rows.map((r) => ({
    identity: r.identity,
    ...(accounts.get(r.identity) ?? NOT_IN_DIRECTORY),
    lastSeen: r.lastSeenAt.toISOString(),
    lastLocation: r.lastLocationKind
      ? {
          kind: r.lastLocationKind,
          countryCode: r.lastCountryCode,
          country: r.lastCountry,
          city: r.lastCity,
          label: locationLabel(r.lastLocationKind, r.lastCountry, null, r.lastCity),
        }
      : null,
    sessions30d: byId.get(r.identity)?.sessions ?? 0,
    locations30d: byId.get(r.identity)?.locations ?? 0,
    onlineSessions: byId.get(r.identity)?.online ?? 0,
  }));
  return { items, total: total[0]?.n ?? 0, page: query.page, pageSize: query.pageSize };
}

// ---------- entity profile ----------

export async function getIdentityProfile(db: Db, identity: string) {
  const row = await db.identity.findUnique({ where: { identity } });
  if (!row) return null;
  const [aliases, names, online, account] = await Promise.all([
    db.identityAlias.findMany({ where: { identity }, orderBy: { alias: "asc" } }),
    db.$queryRaw<
      { userName: string }[]
    >`SELECT DISTINCT "userName" FROM (SELECT "userName" FROM "VpnSession" WHERE identity = ${identity} ORDER BY "lastUpdateAt" DESC LIMIT 1000) s ORDER BY 1 LIMIT 50`,
    db.vpnSession.count({ where: { identity, status: "open" } }),
    profileAccount(db, identity),
  ]);
  return {
    identity: row.identity,
    ...account.context,
    account: account.account,
    aliases: aliases.map((a) => a.alias),
    namesAsSent: names.map((n) => n.userName),
    onlineSessions: online,
    firstSeen: row.firstSeenAt.toISOString(),
    lastSeen: row.lastSeenAt.toISOString(),
  };
}

/** The ranges of an identity's locations (the profile's buttons, the locations API). */
export const LOCATION_RANGES = [7, 30, 90, 180];
export const locationDays = z.coerce
  .number()
  .refine((d) => LOCATION_RANGES.includes(d), `days is one of ${LOCATION_RANGES.join(", ")}.`)
  .default(30);
export const LocationsQuerySchema = z.object({ days: locationDays });

/** A distinct location of an identity: where (as geolocated) plus when and how often. */
export interface IdentityLocation extends Omit<GeoLocation, "kind"> {
  key: string;
  kind: string;
  label: string;
  firstSeen: string;
  lastSeen: string;
  sessions: number;
  publicIps: string[];
  /** new: first seen (in the retained history) within the range; usual: seen before it. */
  familiarity: "usual" | "new";
}

/** The distinct locations of sessions active in the last `days` days. */
export async function identityLocations(
  db: Db,
  identity: string,
  days: number,
  now = new Date(),
): Promise<IdentityLocation[]> {
  const since = new Date(now.getTime() - days * 86_400_000);
  const inRange = Prisma.sql`"lastUpdateAt" >= ${since}`;
  // Each place's first session ever (in retained history) says whether it is new in the range: one pass over the
  // identity's sessions, the range's figures as filtered aggregates.
  const rows = await db.$queryRaw<
    {
      kind: string;
      countryCode: string | null;
      country: string | null;
      region: string | null;
      city: string | null;
      latitude: number | null;
      longitude: number | null;
      firstSeen: Date;
      lastSeen: Date;
      firstEver: Date;
      sessions: number;
      publicIps: string[];
    }[]
  >`
    SELECT COALESCE("locationKind", 'unknown') AS kind,
           CASE WHEN "locationKind" = 'geo' THEN "countryCode" END AS "countryCode",
           max(CASE WHEN "locationKind" = 'geo' THEN country END) AS country,
           max(CASE WHEN "locationKind" = 'geo' THEN region END) AS region,
           CASE WHEN "locationKind" = 'geo' THEN city END AS city,
           avg(latitude) FILTER (WHERE ${inRange}) AS latitude, avg(longitude) FILTER (WHERE ${inRange}) AS longitude,
           min("startedAt") FILTER (WHERE ${inRange}) AS "firstSeen", max("lastUpdateAt") AS "lastSeen",
           min("startedAt") AS "firstEver", count(*) FILTER (WHERE ${inRange})::int AS sessions,
           (array_agg(DISTINCT "publicIp") FILTER (WHERE "publicIp" IS NOT NULL AND ${inRange}))[1:20] AS "publicIps"
    FROM "VpnSession"
    WHERE identity = ${identity}
    GROUP BY 1, 2, 5
    HAVING count(*) FILTER (WHERE ${inRange}) > 0
    ORDER BY sessions DESC, "lastSeen" DESC`;
  return rows.map((r) => ({
    key: locationKey(r.kind, r.countryCode, r.city),
    kind: r.kind,
    label: locationLabel(r.kind, r.country, r.region, r.city),
    countryCode: r.countryCode,
    country: r.country,
    region: r.region,
    city: r.city,
    latitude: r.latitude,
    longitude: r.longitude,
    firstSeen: r.firstSeen.toISOString(),
    lastSeen: r.lastSeen.toISOString(),
    sessions: r.sessions,
    publicIps: r.publicIps ?? [],
    familiarity: r.firstEver >= since ? "new" : "usual",
  }));
}

// ---------- activity timeline ----------

export const ACTIVITY_TYPES = {
  start: "Connection started",
  interim: "Connection updated",
  stop: "Connection ended",
} as const;

export const ActivitiesQuerySchema = z.object({
  since: isoDateTime("since").optional(),
  until: isoDateTime("until").optional(),
  days: wholeNumber("days", 1, 180).optional(),
  type: z.enum(["start", "interim", "stop"], { error: "type is start, interim or stop." }).optional(),
  location: z.string().max(200).optional().describe("geo|CC|City, private or unknown"),
  nas: z.string().max(255).optional().describe("NAS-IP-Address or NAS-Identifier"),
  limit: wholeNumber("limit", 1, 1000).default(50),
  cursor: z.string().max(200).optional().describe("nextCursor of the previous page"),
});
export type ActivitiesQuery = z.output<typeof ActivitiesQuerySchema>;

export interface Activity {
  id: string;
  type: keyof typeof ACTIVITY_TYPES;
  time: string;
  publicIp: string | null;
  asn: number | null;
  asOrganization: string | null;
  hosting: boolean | null;
  location: string;
  locationKey: string;
  nas: string;
  vendor: string;
  assignedIp: string | null;
  durationSeconds: number | null;
  inputBytes: string;
  outputBytes: string;
  terminateCause: string | null;
}

/**
 * What a NAS is called on the page: the NAS-IP-Address or NAS-Identifier it sent, else the address it sent from.
 * Its key (sensor/session-event.ts nasKeyOf) also names the RADIUS client, which no page needs to show.
 */
export const NAS_LABEL = Prisma.sql`COALESCE(s."nasIp", s."nasIdentifier", s."sourceIp")`;

/** The timeline's location and NAS filters, on the session (aliased `s`): events and sessions filter alike. */
export function sessionFilterSql(q: Pick<ActivitiesQuery, "location" | "nas">): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  // A NAS is shown by its label (NAS_LABEL) and filtered by it, or by its key.
  if (q.nas) conditions.push(Prisma.sql`${q.nas} IN (s."nasKey", s."nasIp", s."nasIdentifier", s."sourceIp")`);
  if (q.location) {
    const [kind, countryCode, city] = q.location.split("|");
    if (kind === "geo")
      conditions.push(
        Prisma.sql`s."locationKind" = 'geo' AND s."countryCode" IS NOT DISTINCT FROM ${countryCode || null} AND s.city IS NOT DISTINCT FROM ${city || null}`,
      );
    else if (kind === "private") conditions.push(Prisma.sql`s."locationKind" = 'private'`);
    else conditions.push(Prisma.sql`(s."locationKind" IS NULL OR s."locationKind" = 'unknown')`);
  }
  return conditions;
}

/** Newest first, keyset-paginated on (eventTime, id) so deep pages stay fast. Default range 30 days, at most 180. */
export async function identityActivities(db: Db, identity: string, q: ActivitiesQuery, now = new Date()) {
  const since = q.since ? new Date(q.since) : new Date(now.getTime() - (q.days ?? 30) * 86_400_000);
  const conditions = [Prisma.sql`e.identity = ${identity}`, Prisma.sql`e."eventTime" >= ${since}`];
  if (q.until) conditions.push(Prisma.sql`e."eventTime" < ${new Date(q.until)}`);
  if (q.type) conditions.push(Prisma.sql`e.kind = ${q.type}`);
  conditions.push(...sessionFilterSql(q));
  if (q.cursor) {
    const after = decodeCursor(q.cursor);
    conditions.push(Prisma.sql`(e."eventTime", e.id) < (${after.time}, ${after.id})`);
  }
  const rows = await db.$queryRaw<
    {
      id: bigint;
      kind: keyof typeof ACTIVITY_TYPES;
      eventTime: Date;
      publicIp: string | null;
      asn: number | null;
      asOrganization: string | null;
      hosting: boolean | null;
      locationKind: string | null;
      countryCode: string | null;
      country: string | null;
      region: string | null;
      city: string | null;
      nasLabel: string;
      vendor: VendorId;
      assignedIp: string | null;
      sessionTime: number | null;
      inputBytes: bigint;
      outputBytes: bigint;
      terminateCause: string | null;
    }[]
  >`
    SELECT e.id, e.kind, e."eventTime", COALESCE(e."publicIp", s."publicIp") AS "publicIp",
           CASE WHEN e."publicIp" IS NULL THEN s.asn ELSE e.asn END AS asn,
           CASE WHEN e."publicIp" IS NULL THEN s."asOrganization" ELSE e."asOrganization" END AS "asOrganization",
           CASE WHEN e."publicIp" IS NULL THEN s.hosting ELSE e.hosting END AS hosting, s."locationKind", s."countryCode", s.country, s.region, s.city,
           ${NAS_LABEL} AS "nasLabel", s.vendor, s."assignedIp", e."sessionTime", e."inputBytes", e."outputBytes", e."terminateCause"
    FROM "VpnSessionEvent" e JOIN "VpnSession" s ON s.id = e."sessionId"
    WHERE ${Prisma.join(conditions, " AND ")}
    ORDER BY e."eventTime" DESC, e.id DESC
    LIMIT ${q.limit + 1}`;
  const page = rows.slice(0, q.limit);
  const items: Activity[] = page.map((r) => ({
    id: r.id.toString(),
    type: r.kind,
    time: r.eventTime.toISOString(),
    publicIp: r.publicIp,
    asn: r.asn,
    asOrganization: r.asOrganization,
    hosting: r.hosting,
    location: locationLabel(r.locationKind, r.country, r.region, r.city),
    locationKey: locationKey(r.locationKind, r.countryCode, r.city),
    nas: r.nasLabel,
    vendor: toApiVendor(r.vendor),
    assignedIp: r.assignedIp,
    durationSeconds: r.sessionTime,
    inputBytes: r.inputBytes.toString(),
    outputBytes: r.outputBytes.toString(),
    terminateCause: r.terminateCause,
  }));
  const last = page.at(-1);
  return { items, nextCursor: rows.length > q.limit && last ? encodeCursor(last.eventTime, last.id) : null };
}

/** The filter values present for this identity (180 days), so the page offers only those. */
export async function activityFilterOptions(db: Db, identity: string, now = new Date()) {
  const [locations, nas] = await Promise.all([
    identityLocations(db, identity, 180, now),
    db.$queryRaw<
      { nas: string }[]
    >`SELECT DISTINCT ${NAS_LABEL} AS nas FROM "VpnSession" s WHERE identity = ${identity} ORDER BY 1 LIMIT 100`,
  ]);
  return { locations: locations.map((l) => ({ key: l.key, label: l.label })), nas: nas.map((n) => n.nas) };
}

const CSV_COLUMNS: (keyof Activity)[] = [
  "time",
  "type",
  "publicIp",
  "location",
  "nas",
  "vendor",
  "assignedIp",
  "durationSeconds",
  "inputBytes",
  "outputBytes",
  "terminateCause",
  "asn",
  "asOrganization",
  "hosting",
];
/** The filtered timeline as CSV, streamed page by page, capped at CSV_ROW_CAP rows. */
export function activitiesCsv(db: Db, identity: string, q: ActivitiesQuery): ReadableStream<Uint8Array> {
  return csvStream(
    CSV_COLUMNS,
    (cursor, limit) => identityActivities(db, identity, { ...q, cursor, limit }),
    (a, c) => a[c as keyof Activity],
    q.cursor,
  );
}
