import type pg from "pg";
import { inTransaction } from "../db/pg.ts";
import {
  DEFAULT_DETECTION_SETTINGS,
  RULES,
  evaluateSession,
  forAccount,
  judgeAccount,
  type AccountForJudging,
  type Finding,
  type SessionFacts,
} from "./detections.ts";
import { enqueueAlertDeliveries } from "./delivery.ts";
import { AlertEvidenceSchema } from "./evidence.ts";
import { compileExclusions, type ExclusionMatcher, type ExclusionRule } from "./exclusion-match.ts";
import { SEVERITIES } from "./severity.ts";

// Judging stored sessions and raising alerts. Plain pg, no Prisma: the sensor's detector process
// runs this, and Prisma's runtime would cost it about 70 MB of memory.

const FACTS = `"sessionKey", "startedAt", "endedAt", "lastUpdateAt", "publicIp", "locationKind", "countryCode", country, city, latitude, longitude, "clientName", asn, "asOrganization", hosting, "nasIp", "nasIdentifier", "sourceIp"`;
type FactRow = SessionFacts & {
  identity: string;
  nasIp: string | null;
  nasIdentifier: string | null;
  sourceIp: string;
};
type Raised = Finding & { severityRaised: string | null };
/** The place rules need a located session, the network rules a known network owner. */
const againstHistory = (s: FactRow) => s.locationKind === "geo" || s.asn !== null;

/** The exclusions in force (lib/alerts/exclusion-match.ts), read once per round. */
async function activeExclusions(pool: pg.Pool): Promise<ExclusionMatcher> {
  const { rows } = await pool.query<ExclusionRule>(
    `SELECT id::text, rule, identity, "ipBlock", "countryCode", nas, reason, "expiresAt" FROM "DetectionExclusion"
      WHERE "expiresAt" IS NULL OR "expiresAt" > now()`,
  );
  return compileExclusions(rows);
}

/**
 * Judges sessions not yet looked at, oldest first, each against the identity's
 * history before it (its own event times, so replayed accounting is judged on when
 * it happened). Returns how many were judged.
 *
 * No statement here holds a lock on VpnSession across round trips: the detector runs at
 * low priority, and a row lock it held while descheduled would stall the sensor's writes.
 * Two detectors judging the same session at once raise the same alert once (dedupe key +
 * session keys in the evidence).
 */
export async function runPendingDetections(
  pool: pg.Pool,
  settings = DEFAULT_DETECTION_SETTINGS,
  limit = 200,
): Promise<number> {
  const { rows: pending } = await pool.query<FactRow>(
    `SELECT identity, ${FACTS} FROM "VpnSession" WHERE "detectedAt" IS NULL ORDER BY "startedAt" LIMIT $1`,
    [limit],
  );
  // Only a session with a place or a network owner can be unusual against the history: those share one history
  // query and one identity query (not one per session). Every session is also judged by its directory account.
  const located = pending.filter(againstHistory);
  const identities = [...new Set(located.map((p) => p.identity))];
  const windowMs = settings.windowDays * 86_400_000;
  const histories = new Map<string, FactRow[]>();
  const firstSeenOf = new Map<string, Date>();
  if (located.length) {
    const from = new Date(Math.min(...located.map((p) => p.startedAt.getTime())) - windowMs);
    const to = new Date(Math.max(...located.map((p) => p.startedAt.getTime())));
    const { rows } = await pool.query<FactRow>(
      `SELECT identity, ${FACTS} FROM "VpnSession"
       WHERE identity = ANY($1::text[]) AND "startedAt" <= $2 AND ("startedAt" >= $3 OR "endedAt" IS NULL)`,
      [identities, to, from],
    );
    for (const row of rows) {
      const list = histories.get(row.identity);
      if (list) list.push(row);
      else histories.set(row.identity, [row]);
    }
    const firstSeen = await pool.query<{ identity: string; firstSeenAt: Date }>(
      `SELECT identity, "firstSeenAt" FROM "Identity" WHERE identity = ANY($1::text[])`,
      [identities],
    );
    for (const i of firstSeen.rows) firstSeenOf.set(i.identity, i.firstSeenAt);
  }
  function judgeAgainstHistory(session: FactRow): Finding[] {
    // The identity's sessions before this one, within the window (or still open).
    const from = session.startedAt.getTime() - windowMs;
    const history = (histories.get(session.identity) ?? []).filter(
      (h) =>
        h.sessionKey !== session.sessionKey &&
        h.startedAt <= session.startedAt &&
        (h.startedAt.getTime() >= from || h.endedAt === null),
    );
    const firstSeen = [firstSeenOf.get(session.identity), ...history.map((h) => h.startedAt), session.startedAt]
      .filter((d): d is Date => Boolean(d))
      .reduce((a, b) => (a < b ? a : b));
    return evaluateSession(session, history, firstSeen, settings).findings;
  }
  const accounts = await accountsOf(pool, [...new Set(pending.map((p) => p.identity))]);
  const excluded = pending.length ? await activeExclusions(pool) : null;
  const suppressed = new Map<string, number>();
  for (const session of pending) {
    const account = accounts.get(session.identity) ?? null;
    const findings: Finding[] = [];
    const byAccount = account ? judgeAccount(session, account) : null;
    if (byAccount) findings.push(byAccount);
    if (againstHistory(session)) findings.push(...judgeAgainstHistory(session));
    const raised: Raised[] = [];
    for (const f of findings) {
      const by = excluded?.({
        rule: f.rule,
        identity: session.identity,
        publicIp: session.publicIp,
        countryCode: session.countryCode,
        nas: [session.nasIp, session.nasIdentifier, session.sourceIp],
      });
      if (by) suppressed.set(by.id, (suppressed.get(by.id) ?? 0) + 1);
      else raised.push(forAccount(f, account));
    }
    if (raised.length) await raiseIncident(pool, session, raised);
  }
  // A retransmitted session judged twice counts twice: the count says how often an exclusion held something back.
  for (const [id, n] of suppressed)
    await pool.query(
      `UPDATE "DetectionExclusion" SET suppressed = suppressed + $2, "lastSuppressedAt" = now() WHERE id = $1::uuid`,
      [id, n],
    );
  const judged = pending.map((p) => p.sessionKey);
  // Rows the sensor is writing right now are skipped (judged again next round, alerts are
  // deduplicated): the detector never waits for the packet path, nor makes it wait long.
  if (judged.length)
    await pool.query(
      `UPDATE "VpnSession" SET "detectedAt" = now() WHERE "sessionKey" IN (
         SELECT "sessionKey" FROM "VpnSession" WHERE "sessionKey" = ANY($1::text[]) AND "detectedAt" IS NULL ORDER BY "sessionKey" FOR UPDATE SKIP LOCKED)`,
      [judged],
    );
  return pending.length;
}

/** The directory accounts (not gone) whose identity is among these: the account's UPN is its identity. */
async function accountsOf(pool: pg.Pool, identities: string[]): Promise<Map<string, AccountForJudging>> {
  if (!identities.length) return new Map();
  const { rows } = await pool.query<AccountForJudging>(
    `SELECT "userPrincipalName", "displayName", "userAccountControl", "accountExpires", "lockoutTime", "disabledSeenAt",
            "adminCount", "sensitiveGroups", "markedSensitive"
       FROM "DirectoryAccount" WHERE "userPrincipalName" = ANY($1::text[]) AND "goneAt" IS NULL`,
    [identities],
  );
  return new Map(rows.map((r) => [r.userPrincipalName, r]));
}

/**
 * One incident per session: every rule that fired on it joins one alert (the most severe rule is the alert's, the
 * others are listed in `rules` and carried in `also`). A new alert is queued for forwarding; a session from the same
 * place the same day adds itself as evidence to the alert already raised.
 */
async function raiseIncident(pool: pg.Pool, session: FactRow, raised: Raised[]): Promise<void> {
  const [primary, ...others] = [...raised].sort(
    (a, b) => SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity),
  ) as [Raised, ...Raised[]];
  const day = session.startedAt.toISOString().slice(0, 10);
  const also = others.map((f) => ({ ...f.evidence, rule: f.rule, severity: f.severity, summary: f.summary }));
  const summary = others.length
    ? `${primary.summary} Also: ${others.map((f) => RULES[f.rule].title).join(", ")}.`
    : primary.summary;
  // Stored as its rule's schema says (the readers rely on it); the rule itself is a column.
  const { rule: _rule, ...evidence } = AlertEvidenceSchema.parse({
    ...primary.evidence,
    rule: primary.rule,
    summary,
    sessionKeys: [session.sessionKey],
    repeats: [],
    severityRaised: primary.severityRaised,
    also,
  });
  await inTransaction(pool, async (tx) => {
    const { rows } = await tx.query<{ id: string; created: boolean }>(
      `INSERT INTO "Alert" ("dedupeKey", rule, rules, severity, identity, "occurredAt", evidence, "updatedAt")
       VALUES ($1, $2, $8::text[], $3, $4, $5, $6::jsonb, now())
       ON CONFLICT ("dedupeKey") DO UPDATE SET
         occurrences = "Alert".occurrences + 1,
         rules = "Alert".rules || ARRAY(SELECT r FROM unnest(EXCLUDED.rules) r WHERE r <> ALL("Alert".rules)),
         evidence = jsonb_set(jsonb_set("Alert".evidence, '{repeats}', COALESCE("Alert".evidence->'repeats', '[]'::jsonb) || jsonb_build_array(EXCLUDED.evidence->'session')),
                              '{sessionKeys}', COALESCE("Alert".evidence->'sessionKeys', '[]'::jsonb) || to_jsonb($7::text)),
         "updatedAt" = now()
       WHERE NOT COALESCE("Alert".evidence->'sessionKeys', '[]'::jsonb) @> to_jsonb(ARRAY[$7::text])
       RETURNING id::text AS id, (xmax = 0) AS created`,
      [
        `${session.identity}|${primary.rule}|${primary.locationKey}|${day}`,
        primary.rule,
        primary.severity,
        session.identity,
        session.startedAt,
        JSON.stringify(evidence),
        session.sessionKey,
        [primary.rule, ...others.map((f) => f.rule)],
      ],
    );
    // Only a new alert is forwarded; repeats add evidence to one already sent.
    if (rows[0]?.created) await enqueueAlertDeliveries(tx, rows[0].id);
  });
}

/** `vpnsight detect --since`: judge imported history again (alerts are deduplicated). */
export async function redetectSince(
  pool: pg.Pool,
  since: Date,
  settings = DEFAULT_DETECTION_SETTINGS,
): Promise<number> {
  await pool.query(`UPDATE "VpnSession" SET "detectedAt" = NULL WHERE "startedAt" >= $1`, [since]);
  let total = 0;
  for (;;) {
    const n = await runPendingDetections(pool, settings, 500);
    total += n;
    if (n === 0) return total;
  }
}
