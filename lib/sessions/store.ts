import type pg from "pg";
import { readEnv } from "../config/env.ts";
import { inTransaction } from "../db/pg.ts";
import { isNasEvent, type AccountingRecord, type SessionEvent } from "./accounting-record.ts";

// Records travel as one JSON parameter (much cheaper to encode than 28 arrays); `json`, not
// `jsonb`: read once, so converting to jsonb first would only cost (about 10 µs per record).
// PostgreSQL's JSON parsing is most of that part's cost, so keys are one or two letters and
// null fields are left out (a missing key reads as NULL): 754 → 503 bytes and about 20 % less
// parsing per record. One table maps the keys to columns; toRows writes the same keys.
const FIELDS = {
  k: ["sessionKey", "text"],
  i: ["identity", "text"],
  u: ["userName", "text"],
  v: ["vendor", '"Vendor"'],
  n: ["nasKey", "text"],
  ni: ["nasIp", "text"],
  nn: ["nasIdentifier", "text"],
  s: ["sourceIp", "text"],
  a: ["acctSessionId", "text"],
  p: ["publicIp", "text"],
  ip: ["assignedIp", "text"],
  lk: ["locationKind", "text"],
  cc: ["countryCode", "text"],
  co: ["country", "text"],
  r: ["region", "text"],
  ci: ["city", "text"],
  la: ["latitude", "float8"],
  lo: ["longitude", "float8"],
  cn: ["clientName", "text"],
  an: ["asn", "int"],
  ao: ["asOrganization", "text"],
  ho: ["hosting", "boolean"],
  ib: ["inputBytes", "bigint"],
  ob: ["outputBytes", "bigint"],
  tc: ["terminateCause", "text"],
  ii: ["interimInterval", "int"],
  t: ["kind", "text"],
  et: ["eventTime", "timestamptz"],
  ra: ["receivedAt", "timestamptz"],
  st: ["sessionTime", "int"],
  nj: ["notJudged", "boolean"],
} as const satisfies Record<string, readonly [string, string]>;
type RowKey = keyof typeof FIELDS;

/**
 * A record that arrives more than DETECTION_WINDOW_DAYS after its own event time (a NAS's Event-Timestamp far in the
 * past, a very late import) is stored but its session is not judged: an alert on it would not be news, and an
 * attacker with a secret could otherwise fabricate old sessions that alert as if they happened now. `npx vpnsight
 * detect --since` still judges such history on purpose.
 */
let notJudgedAfterMs: number | undefined;
const tooLateToJudge = (e: SessionEvent) =>
  Date.parse(e.receivedAt) - Date.parse(e.eventTime) >
  (notJudgedAfterMs ??= readEnv().DETECTION_WINDOW_DAYS * 86_400_000);

/** The batch as JSON with FIELDS' keys; undefined (null) values are left out by JSON.stringify. */
export function toRows(events: SessionEvent[]): string {
  return JSON.stringify(
    events.map((e): Record<RowKey, unknown> => ({
      k: e.sessionKey,
      i: e.identity,
      u: e.userName,
      v: e.vendor,
      n: e.nasKey,
      ni: e.nasIp ?? undefined,
      nn: e.nasIdentifier ?? undefined,
      s: e.sourceIp,
      a: e.acctSessionId,
      p: e.publicIp ?? undefined,
      ip: e.assignedIp ?? undefined,
      lk: e.location?.kind,
      cc: e.location?.countryCode ?? undefined,
      co: e.location?.country ?? undefined,
      r: e.location?.region ?? undefined,
      ci: e.location?.city ?? undefined,
      la: e.location?.latitude ?? undefined,
      lo: e.location?.longitude ?? undefined,
      cn: e.clientName ?? undefined,
      an: e.network?.asn,
      ao: e.network?.organization ?? undefined,
      ho: e.network?.hosting,
      ib: e.inputBytes,
      ob: e.outputBytes,
      tc: e.terminateCause ?? undefined,
      ii: e.interimInterval ?? undefined,
      t: e.kind,
      et: e.eventTime,
      ra: e.receivedAt,
      st: e.sessionTime ?? undefined,
      nj: tooLateToJudge(e) || undefined,
    })),
  );
}

const RECORDS = `SELECT ${Object.entries(FIELDS)
  .map(([key, [column]]) => `x.${key} AS "${column}"`)
  .join(", ")}
FROM json_to_recordset($1::json) AS x(${Object.entries(FIELDS)
  .map(([key, [, type]]) => `${key} ${type}`)
  .join(", ")})`;

// The session's fields that follow from the record (start, status, …) are derived here rather
// than sent: fewer fields to encode and parse per record. $2 is the sensor's id.
const INPUT = `SELECT x.*,
  CASE WHEN x.kind = 'start' OR x."sessionTime" IS NULL THEN x."eventTime"
       ELSE x."eventTime" - make_interval(secs => x."sessionTime") END AS "startedAt",
  x.kind <> 'start' AS "startInferred",
  x."eventTime" AS "lastUpdateAt",
  x."publicIp" AS "lastPublicIp",
  CASE WHEN x.kind = 'stop' THEN x."eventTime" END AS "endedAt",
  x."sessionTime" AS "durationSeconds",
  (CASE WHEN x.kind = 'stop' THEN 'closed' ELSE 'open' END)::"SessionStatus" AS status,
  $2::text AS "sensorId",
  CASE WHEN x."notJudged" THEN x."receivedAt" END AS "detectedAt",
  true AS "timelineRow",
  x.kind = 'stop' AS "stopRecorded"
FROM (${RECORDS}) AS x`;

// Idempotent upsert of sessions, in any arrival order (FreeRADIUS radacct style):
// a Stop or Interim before its Start creates the session with an inferred start;
// counters only grow; a Stop closes; a later Interim never reopens a closed session.
//
// It also decides whether the record becomes a timeline row ("timelineRow", returned to INSERT_EVENTS). A row
// carries information: the session's first record; a Start or a Stop, once each; an Interim-Update after a gap that
// made the session stale, or one (not older than the session's last update) that changes the public IP (and so the
// place) or the assigned IP. Otherwise the record only updates the session (counters, last update): at 10-minute
// interims over 8-hour sessions that is ~48 rows a session fewer. Deciding here, under the row lock the upsert
// holds, is also what makes a retransmission (from this sensor or another, with any receive time) add no row: the
// timeline is partitioned by time, so it has no unique key of its own that a retransmission would hit.
// EXCLUDED.kind is not a column: a Start is the only record with NOT "startInferred", a Stop the only one "closed".
// lib/sessions/thin-timeline.ts applies the same rule to rows stored before it.
const SESSION_COLUMNS = `"sessionKey", identity, "userName", vendor, "nasKey", "nasIp", "nasIdentifier", "sourceIp",
  "acctSessionId", "publicIp", "lastPublicIp", "assignedIp", "locationKind", "countryCode", country, region, city, latitude, longitude,
  "clientName", asn, "asOrganization", hosting, "startedAt", "startInferred", "lastUpdateAt", "endedAt", "durationSeconds", "inputBytes",
  "outputBytes", "terminateCause", "interimInterval", status, "detectedAt", "timelineRow", "stopRecorded"`;
const UPSERT_SESSIONS = `
INSERT INTO "VpnSession" AS s (${SESSION_COLUMNS})
SELECT ${SESSION_COLUMNS}
FROM input
ON CONFLICT ("sessionKey") DO UPDATE SET
  "startedAt" = CASE WHEN NOT EXCLUDED."startInferred" THEN EXCLUDED."startedAt"
                     WHEN s."startInferred" THEN LEAST(s."startedAt", EXCLUDED."startedAt")
                     ELSE s."startedAt" END,
  "startInferred" = s."startInferred" AND EXCLUDED."startInferred",
  "lastUpdateAt" = GREATEST(s."lastUpdateAt", EXCLUDED."lastUpdateAt"),
  "endedAt" = CASE WHEN EXCLUDED.status = 'closed' THEN EXCLUDED."endedAt"
                   WHEN s.status = 'stale' AND EXCLUDED."lastUpdateAt" > s."endedAt" THEN NULL
                   ELSE s."endedAt" END,
  status = CASE WHEN EXCLUDED.status = 'closed' THEN 'closed'::"SessionStatus"
                WHEN s.status = 'stale' AND EXCLUDED."lastUpdateAt" > s."endedAt" THEN 'open'::"SessionStatus"
                ELSE s.status END,
  "durationSeconds" = GREATEST(s."durationSeconds", EXCLUDED."durationSeconds"),
  "inputBytes" = GREATEST(s."inputBytes", EXCLUDED."inputBytes"),
  "outputBytes" = GREATEST(s."outputBytes", EXCLUDED."outputBytes"),
  "terminateCause" = CASE WHEN EXCLUDED.status = 'closed' THEN COALESCE(EXCLUDED."terminateCause", s."terminateCause") ELSE s."terminateCause" END,
  "publicIp" = COALESCE(s."publicIp", EXCLUDED."publicIp"),
  "lastPublicIp" = CASE WHEN EXCLUDED."lastPublicIp" IS NOT NULL AND EXCLUDED."lastUpdateAt" >= s."lastUpdateAt"
                        THEN EXCLUDED."lastPublicIp" ELSE COALESCE(s."lastPublicIp", s."publicIp") END,
  "locationKind" = CASE WHEN s."publicIp" IS NULL THEN EXCLUDED."locationKind" ELSE s."locationKind" END,
  "countryCode" = CASE WHEN s."publicIp" IS NULL THEN EXCLUDED."countryCode" ELSE s."countryCode" END,
  country = CASE WHEN s."publicIp" IS NULL THEN EXCLUDED.country ELSE s.country END,
  region = CASE WHEN s."publicIp" IS NULL THEN EXCLUDED.region ELSE s.region END,
  city = CASE WHEN s."publicIp" IS NULL THEN EXCLUDED.city ELSE s.city END,
  latitude = CASE WHEN s."publicIp" IS NULL THEN EXCLUDED.latitude ELSE s.latitude END,
  longitude = CASE WHEN s."publicIp" IS NULL THEN EXCLUDED.longitude ELSE s.longitude END,
  asn = CASE WHEN s."publicIp" IS NULL THEN EXCLUDED.asn ELSE s.asn END,
  "asOrganization" = CASE WHEN s."publicIp" IS NULL THEN EXCLUDED."asOrganization" ELSE s."asOrganization" END,
  hosting = CASE WHEN s."publicIp" IS NULL THEN EXCLUDED.hosting ELSE s.hosting END,
  "assignedIp" = COALESCE(EXCLUDED."assignedIp", s."assignedIp"),
  "clientName" = COALESCE(s."clientName", EXCLUDED."clientName"),
  "interimInterval" = COALESCE(EXCLUDED."interimInterval", s."interimInterval"),
  "nasIp" = COALESCE(s."nasIp", EXCLUDED."nasIp"),
  "nasIdentifier" = COALESCE(s."nasIdentifier", EXCLUDED."nasIdentifier"),
  "timelineRow" = CASE
    WHEN NOT EXCLUDED."startInferred" THEN s."startInferred"
    WHEN EXCLUDED.status = 'closed' THEN NOT COALESCE(s."stopRecorded", s.status = 'closed')
    ELSE (s.status = 'stale' AND EXCLUDED."lastUpdateAt" > s."endedAt")
      OR (EXCLUDED."lastUpdateAt" >= s."lastUpdateAt"
          AND ((EXCLUDED."publicIp" IS NOT NULL AND EXCLUDED."publicIp" <> COALESCE(s."lastPublicIp", s."publicIp", ''))
            OR (EXCLUDED."assignedIp" IS NOT NULL AND EXCLUDED."assignedIp" <> COALESCE(s."assignedIp", ''))))
    END,
  "stopRecorded" = COALESCE(s."stopRecorded", s.status = 'closed') OR EXCLUDED.status = 'closed'
RETURNING id, "sessionKey", "timelineRow"`;

const EVENT_COLUMNS = `identity, kind, "eventTime", "receivedAt", "publicIp", "assignedIp", asn,
  "asOrganization", hosting, "sessionTime", "inputBytes", "outputBytes", "terminateCause", "sensorId"`;
const INSERT_EVENTS = `
INSERT INTO "VpnSessionEvent" ("sessionId", ${EVENT_COLUMNS})
SELECT r.id, ${EVENT_COLUMNS.split(",")
  .map((c) => `x.${c.trim()}`)
  .join(", ")}
FROM input x JOIN sessions r ON r."sessionKey" = x."sessionKey"
WHERE r."timelineRow"`;

// The identities list's summary row: first seen, last seen (the latest event) and the last location (that of the
// latest event with a public IP: a Stop or Interim-Update without one does not erase it). The alias rebuild
// (lib/identities/aliases.ts) applies the same rule to stored sessions.
const UPSERT_IDENTITIES = `
INSERT INTO "Identity" AS i (identity, "firstSeenAt", "lastSeenAt", "lastPublicIp", "lastCountryCode", "lastCountry", "lastCity", "lastLocationKind")
SELECT DISTINCT ON (identity) identity, min("startedAt") OVER (PARTITION BY identity), max("eventTime") OVER (PARTITION BY identity),
  "publicIp", "countryCode", country, city, "locationKind"
FROM input ORDER BY identity, ("publicIp" IS NULL), "eventTime" DESC
ON CONFLICT (identity) DO UPDATE SET
  "firstSeenAt" = LEAST(i."firstSeenAt", EXCLUDED."firstSeenAt"),
  "lastSeenAt" = GREATEST(i."lastSeenAt", EXCLUDED."lastSeenAt"),
  "lastPublicIp" = CASE WHEN EXCLUDED."lastSeenAt" >= i."lastSeenAt" AND EXCLUDED."lastPublicIp" IS NOT NULL THEN EXCLUDED."lastPublicIp" ELSE i."lastPublicIp" END,
  "lastCountryCode" = CASE WHEN EXCLUDED."lastSeenAt" >= i."lastSeenAt" AND EXCLUDED."lastPublicIp" IS NOT NULL THEN EXCLUDED."lastCountryCode" ELSE i."lastCountryCode" END,
  "lastCountry" = CASE WHEN EXCLUDED."lastSeenAt" >= i."lastSeenAt" AND EXCLUDED."lastPublicIp" IS NOT NULL THEN EXCLUDED."lastCountry" ELSE i."lastCountry" END,
  "lastCity" = CASE WHEN EXCLUDED."lastSeenAt" >= i."lastSeenAt" AND EXCLUDED."lastPublicIp" IS NOT NULL THEN EXCLUDED."lastCity" ELSE i."lastCity" END,
  "lastLocationKind" = CASE WHEN EXCLUDED."lastSeenAt" >= i."lastSeenAt" AND EXCLUDED."lastPublicIp" IS NOT NULL THEN EXCLUDED."lastLocationKind" ELSE i."lastLocationKind" END`;

/**
 * Sessions, their events and identities in one statement: one round trip, atomic without
 * BEGIN/COMMIT. Parts can be left out only to measure their cost (bench/store-cost.ts); the events need the sessions.
 */
export function storeStatement(parts = { sessions: true, events: true, identities: true }): string {
  const steps = [
    `input AS (${INPUT})`,
    ...(parts.sessions ? [`sessions AS (${UPSERT_SESSIONS})`] : []),
    ...(parts.sessions && parts.events ? [`events AS (${INSERT_EVENTS})`] : []),
    ...(parts.identities ? [`identities AS (${UPSERT_IDENTITIES})`] : []),
  ];
  return `WITH ${steps.join(",\n  ")}\nSELECT count(*) FROM input`;
}
const UPSERT_SESSIONS_AND_EVENTS = storeStatement();

const CLOSE_SESSIONS_OF_NAS = `
UPDATE "VpnSession" SET status = 'closed', "endedAt" = $2, "terminateCause" = COALESCE("terminateCause", $3),
  "lastUpdateAt" = GREATEST("lastUpdateAt", $2)
WHERE "nasKey" = $1 AND status = 'open' AND "startedAt" <= $2`;

/**
 * One statement may touch a row once: split a batch into rounds with at most
 * one event per session, each sorted by key (a stable lock order between sensors).
 */
export function splitIntoRounds(events: SessionEvent[]): SessionEvent[][] {
  const rounds: SessionEvent[][] = [];
  const seen: Set<string>[] = [];
  for (const event of events) {
    let i = 0;
    while (seen[i]?.has(event.sessionKey)) i++;
    (rounds[i] ??= []).push(event);
    (seen[i] ??= new Set()).add(event.sessionKey);
  }
  return rounds.map((r) => r.sort((a, b) => (a.sessionKey < b.sessionKey ? -1 : a.sessionKey > b.sessionKey ? 1 : 0)));
}

const RETRYABLE = new Set(["40P01", "40001"]); // deadlock, serialization failure

/**
 * PostgreSQL refused the data itself — SQLSTATE class 22 (data exception: a value out of range, a character
 * text cannot hold) or 23 (a constraint): not an outage, so spooling and replaying it would never succeed.
 */
export function isRefusedByDatabase(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^2[23]/.test(code);
}

/**
 * Writes a batch of records (group commit) in one statement, atomic without BEGIN/COMMIT. Sessions are also
 * written by closeStaleSessions below, the detector (detectedAt), the alias rebuild and retention. Concurrent batches
 * touching the same sessions may deadlock; Postgres then aborts one, which is simply retried.
 */
export async function writeAccountingRecords(
  pool: pg.Pool,
  records: AccountingRecord[],
  sensorId: string,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeBatch(pool, records, sensorId);
    } catch (err) {
      if (attempt >= 5 || !RETRYABLE.has((err as { code?: string }).code ?? "")) throw err;
    }
  }
}

async function writeBatch(pool: pg.Pool, records: AccountingRecord[], sensorId: string): Promise<void> {
  // The common case: only session records, each session once → one statement, no transaction needed.
  if (!records.some(isNasEvent)) {
    const rounds = splitIntoRounds(records as SessionEvent[]);
    if (rounds.length === 1) {
      await pool.query({
        name: "vpnsight_upsert_all",
        text: UPSERT_SESSIONS_AND_EVENTS,
        values: [toRows(rounds[0]!), sensorId],
      });
      return;
    }
  }
  await inTransaction(pool, async (client) => {
    let pending: SessionEvent[] = [];
    const flush = async () => {
      if (!pending.length) return;
      for (const round of splitIntoRounds(pending)) {
        await client.query({
          name: "vpnsight_upsert_all",
          text: UPSERT_SESSIONS_AND_EVENTS,
          values: [toRows(round), sensorId],
        });
      }
      pending = [];
    };
    for (const record of records) {
      if (isNasEvent(record)) {
        await flush();
        await client.query(CLOSE_SESSIONS_OF_NAS, [record.nasKey, record.eventTime, record.terminateCause]);
      } else {
        pending.push(record);
      }
    }
    await flush();
  });
}

/** Closes sessions not updated for 3 × their interim interval, else STALE_SESSION_HOURS. */
export async function closeStaleSessions(pool: pg.Pool, staleHours: number): Promise<number> {
  const result = await pool.query(
    `UPDATE "VpnSession" SET status = 'stale', "endedAt" = "lastUpdateAt"
     WHERE status = 'open' AND "lastUpdateAt" < now() - make_interval(secs => COALESCE(3 * "interimInterval", $1 * 3600))`,
    [staleHours],
  );
  return result.rowCount ?? 0;
}
