import type pg from "pg";
import { isNasEvent, type AccountingRecord, type SessionEvent } from "./session-event.ts";

// Idempotent upsert of sessions, in any arrival order (FreeRADIUS radacct style):
// a Stop or Interim before its Start creates the session with an inferred start;
// counters only grow; a Stop closes; a later Interim never reopens a closed session.
const UPSERT_SESSIONS = `
INSERT INTO "VpnSession" AS s (
  "sessionKey", identity, "userName", vendor, "nasKey", "nasIp", "nasIdentifier", "sourceIp", "acctSessionId",
  "publicIp", "assignedIp", "locationKind", "countryCode", country, region, city, latitude, longitude, "clientName",
  "startedAt", "startInferred", "lastUpdateAt", "endedAt", "durationSeconds", "inputBytes", "outputBytes",
  "terminateCause", "interimInterval", status)
SELECT * FROM unnest(
  $1::text[], $2::text[], $3::text[], $4::"Vendor"[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
  $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::float8[], $18::float8[], $19::text[],
  $20::timestamptz[], $21::bool[], $22::timestamptz[], $23::timestamptz[], $24::int[], $25::bigint[], $26::bigint[],
  $27::text[], $28::int[], $29::"SessionStatus"[])
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
  "locationKind" = CASE WHEN s."publicIp" IS NULL THEN EXCLUDED."locationKind" ELSE s."locationKind" END,
  "countryCode" = CASE WHEN s."publicIp" IS NULL THEN EXCLUDED."countryCode" ELSE s."countryCode" END,
  country = CASE WHEN s."publicIp" IS NULL THEN EXCLUDED.country ELSE s.country END,
  region = CASE WHEN s."publicIp" IS NULL THEN EXCLUDED.region ELSE s.region END,
  city = CASE WHEN s."publicIp" IS NULL THEN EXCLUDED.city ELSE s.city END,
  latitude = CASE WHEN s."publicIp" IS NULL THEN EXCLUDED.latitude ELSE s.latitude END,
  longitude = CASE WHEN s."publicIp" IS NULL THEN EXCLUDED.longitude ELSE s.longitude END,
  "assignedIp" = COALESCE(EXCLUDED."assignedIp", s."assignedIp"),
  "clientName" = COALESCE(s."clientName", EXCLUDED."clientName"),
  "interimInterval" = COALESCE(EXCLUDED."interimInterval", s."interimInterval"),
  "nasIp" = COALESCE(s."nasIp", EXCLUDED."nasIp"),
  "nasIdentifier" = COALESCE(s."nasIdentifier", EXCLUDED."nasIdentifier")`;

const INSERT_EVENTS = `
INSERT INTO "VpnSessionEvent" ("eventKey", "sessionKey", identity, kind, "eventTime", "receivedAt", "publicIp",
  "sessionTime", "inputBytes", "outputBytes", "terminateCause", "sensorId")
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::text[],
  $8::int[], $9::bigint[], $10::bigint[], $11::text[], $12::text[])
ON CONFLICT ("eventKey") DO NOTHING`;

const CLOSE_SESSIONS_OF_NAS = `
UPDATE "VpnSession" SET status = 'closed', "endedAt" = $2, "terminateCause" = COALESCE("terminateCause", $3),
  "lastUpdateAt" = GREATEST("lastUpdateAt", $2)
WHERE "nasKey" = $1 AND status = 'open' AND "startedAt" <= $2`;

function sessionColumns(events: SessionEvent[]): unknown[][] {
  const startOf = (e: SessionEvent) =>
    e.kind === "start" || e.sessionTime === null ? e.eventTime : new Date(Date.parse(e.eventTime) - e.sessionTime * 1000).toISOString();
  const pick = <T>(f: (e: SessionEvent) => T) => events.map(f);
  return [
    pick((e) => e.sessionKey), pick((e) => e.identity), pick((e) => e.userName), pick((e) => e.vendor), pick((e) => e.nasKey),
    pick((e) => e.nasIp), pick((e) => e.nasIdentifier), pick((e) => e.sourceIp), pick((e) => e.acctSessionId),
    pick((e) => e.publicIp), pick((e) => e.assignedIp), pick((e) => e.location?.kind ?? null),
    pick((e) => e.location?.countryCode ?? null), pick((e) => e.location?.country ?? null), pick((e) => e.location?.region ?? null),
    pick((e) => e.location?.city ?? null), pick((e) => e.location?.latitude ?? null), pick((e) => e.location?.longitude ?? null),
    pick((e) => e.clientName), pick(startOf), pick((e) => e.kind !== "start"), pick((e) => e.eventTime),
    pick((e) => (e.kind === "stop" ? e.eventTime : null)), pick((e) => e.sessionTime), pick((e) => e.inputBytes),
    pick((e) => e.outputBytes), pick((e) => e.terminateCause), pick((e) => e.interimInterval),
    pick((e) => (e.kind === "stop" ? "closed" : "open")),
  ];
}

function eventColumns(events: SessionEvent[], sensorId: string): unknown[][] {
  const pick = <T>(f: (e: SessionEvent) => T) => events.map(f);
  return [
    pick((e) => e.eventKey), pick((e) => e.sessionKey), pick((e) => e.identity), pick((e) => e.kind), pick((e) => e.eventTime),
    pick((e) => e.receivedAt), pick((e) => e.publicIp), pick((e) => e.sessionTime), pick((e) => e.inputBytes),
    pick((e) => e.outputBytes), pick((e) => e.terminateCause), pick(() => sensorId),
  ];
}

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
 * The only writer of sessions: writes a batch of records in one transaction
 * (group commit). Concurrent batches touching the same sessions may deadlock;
 * Postgres then aborts one, which is simply retried.
 */
export async function writeAccountingRecords(pool: pg.Pool, records: AccountingRecord[], sensorId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await writeBatch(pool, records, sensorId);
    } catch (err) {
      if (attempt >= 5 || !RETRYABLE.has((err as { code?: string }).code ?? "")) throw err;
    }
  }
}

async function writeBatch(pool: pg.Pool, records: AccountingRecord[], sensorId: string): Promise<void> {
  const client = await pool.connect();
  // A connection lost mid-transaction surfaces in the failing query; without a
  // listener pg would also emit it as an uncaught "error" event.
  const ignoreLostConnection = () => {};
  client.on("error", ignoreLostConnection);
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    let pending: SessionEvent[] = [];
    const flush = async () => {
      if (!pending.length) return;
      // Named (prepared once per connection): these statements are large to plan.
      for (const round of splitIntoRounds(pending)) {
        await client.query({ name: "vpnsight_upsert_sessions", text: UPSERT_SESSIONS, values: sessionColumns(round) });
      }
      await client.query({ name: "vpnsight_insert_events", text: INSERT_EVENTS, values: eventColumns(pending, sensorId) });
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
    await client.query("COMMIT");
  } catch (err) {
    broken = err as Error;
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.removeListener("error", ignoreLostConnection);
    client.release(broken);
  }
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
