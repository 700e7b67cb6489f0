import { z } from "zod";
import { readEnv } from "./config/env.ts";
import type { Db } from "./db/prisma.ts";
import { Prisma } from "./generated/prisma/client.ts";
import { recordAudit, type Actor } from "./audit.ts";
import { DEFAULT_DETECTION_SETTINGS, RULES, evaluateSession, learningState, type DetectionSettings, type RuleId, type SessionFacts } from "./detections.ts";
import { conflict, notFound, parseInput, validationError } from "./errors.ts";
import { enqueueAlertDeliveries } from "./alert-forwarding.ts";
import { ALERT_STATUSES, TRANSITIONS } from "./alert-status.ts";

export function detectionSettingsFromEnv(env = readEnv()): DetectionSettings {
  return {
    ...DEFAULT_DETECTION_SETTINGS,
    windowDays: env.DETECTION_WINDOW_DAYS,
    learningMinDays: env.LEARNING_MIN_DAYS,
    learningMinSessions: env.LEARNING_MIN_SESSIONS,
    maxTravelKmh: env.MAX_TRAVEL_KMH,
  };
}

const FACTS = Prisma.sql`"sessionKey", "startedAt", "endedAt", "lastUpdateAt", "publicIp", "locationKind", "countryCode", country, city, latitude, longitude, "clientName"`;
type FactRow = SessionFacts & { identity: string };

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
export async function runPendingDetections(db: Db, settings = DEFAULT_DETECTION_SETTINGS, limit = 200): Promise<number> {
  const pending = await db.$queryRaw<FactRow[]>`
    SELECT identity, ${FACTS} FROM "VpnSession" WHERE "detectedAt" IS NULL ORDER BY "startedAt" LIMIT ${limit}`;
  // Only a located session can be unusual: the others are judged without a query. The
  // located ones share one history query and one identity query (not one per session).
  const located = pending.filter((p) => p.locationKind === "geo");
  const identities = [...new Set(located.map((p) => p.identity))];
  const windowMs = settings.windowDays * 86_400_000;
  const histories = new Map<string, FactRow[]>();
  const firstSeenOf = new Map<string, Date>();
  if (located.length) {
    const from = new Date(Math.min(...located.map((p) => p.startedAt.getTime())) - windowMs);
    const to = new Date(Math.max(...located.map((p) => p.startedAt.getTime())));
    const rows = await db.$queryRaw<FactRow[]>`
      SELECT identity, ${FACTS} FROM "VpnSession"
      WHERE identity = ANY(${identities}::text[]) AND "startedAt" <= ${to} AND ("startedAt" >= ${from} OR "endedAt" IS NULL)`;
    for (const row of rows) {
      const list = histories.get(row.identity);
      if (list) list.push(row);
      else histories.set(row.identity, [row]);
    }
    const firstSeen = await db.identity.findMany({ where: { identity: { in: identities } }, select: { identity: true, firstSeenAt: true } });
    for (const i of firstSeen) firstSeenOf.set(i.identity, i.firstSeenAt);
  }
  for (const session of located) {
    // The identity's sessions before this one, within the window (or still open).
    const from = session.startedAt.getTime() - windowMs;
    const history = (histories.get(session.identity) ?? []).filter(
      (h) => h.sessionKey !== session.sessionKey && h.startedAt <= session.startedAt && (h.startedAt.getTime() >= from || h.endedAt === null),
    );
    const firstSeen = [firstSeenOf.get(session.identity), ...history.map((h) => h.startedAt), session.startedAt]
      .filter((d): d is Date => Boolean(d))
      .reduce((a, b) => (a < b ? a : b));
    const { findings } = evaluateSession(session, history, firstSeen, settings);
    for (const f of findings) await raiseAlert(db, session, f);
  }
  const judged = pending.map((p) => p.sessionKey);
  // Rows the sensor is writing right now are skipped (judged again next round, alerts are
  // deduplicated): the detector never waits for the packet path, nor makes it wait long.
  if (judged.length)
    await db.$executeRaw`UPDATE "VpnSession" SET "detectedAt" = now() WHERE "sessionKey" IN (
      SELECT "sessionKey" FROM "VpnSession" WHERE "sessionKey" = ANY(${judged}::text[]) AND "detectedAt" IS NULL ORDER BY "sessionKey" FOR UPDATE SKIP LOCKED)`;
  return pending.length;
}

/** A new alert (queued for forwarding), or the session added as evidence to today's alert for the same place. */
async function raiseAlert(db: Db, session: FactRow, f: ReturnType<typeof evaluateSession>["findings"][number]): Promise<void> {
  const day = session.startedAt.toISOString().slice(0, 10);
  const evidence = { ...f.evidence, summary: f.summary, sessionKeys: [session.sessionKey], repeats: [] };
  await db.$transaction(async (tx) => {
    const inserted = await tx.$queryRaw<{ id: bigint; created: boolean }[]>`
      INSERT INTO "Alert" ("dedupeKey", rule, severity, identity, "occurredAt", evidence, "updatedAt")
      VALUES (${`${session.identity}|${f.rule}|${f.locationKey}|${day}`}, ${f.rule}, ${f.severity}, ${session.identity}, ${session.startedAt}, ${JSON.stringify(evidence)}::jsonb, now())
      ON CONFLICT ("dedupeKey") DO UPDATE SET
        occurrences = "Alert".occurrences + 1,
        evidence = jsonb_set(jsonb_set("Alert".evidence, '{repeats}', COALESCE("Alert".evidence->'repeats', '[]'::jsonb) || jsonb_build_array(EXCLUDED.evidence->'session')),
                             '{sessionKeys}', COALESCE("Alert".evidence->'sessionKeys', '[]'::jsonb) || to_jsonb(${session.sessionKey}::text)),
        "updatedAt" = now()
      WHERE NOT COALESCE("Alert".evidence->'sessionKeys', '[]'::jsonb) @> to_jsonb(ARRAY[${session.sessionKey}::text])
      RETURNING id, (xmax = 0) AS created`;
    // Only a new alert is forwarded; repeats add evidence to one already sent.
    if (inserted[0]?.created) await enqueueAlertDeliveries(tx, inserted[0].id);
  });
}

/** `vpnsight detect --since`: judge imported history again (alerts are deduplicated). */
export async function redetectSince(db: Db, since: Date, settings = DEFAULT_DETECTION_SETTINGS): Promise<number> {
  await db.$executeRaw`UPDATE "VpnSession" SET "detectedAt" = NULL WHERE "startedAt" >= ${since}`;
  let total = 0;
  for (;;) {
    const n = await runPendingDetections(db, settings, 500);
    total += n;
    if (n === 0) return total;
  }
}

/** "learning until <date>" for the entity profile. */
export async function identityLearning(db: Db, identity: string, settings = DEFAULT_DETECTION_SETTINGS, now = new Date()) {
  const rows = await db.$queryRaw<{ first: Date | null; recent: number }[]>`
    SELECT min("startedAt") AS first, count(*) FILTER (WHERE "startedAt" >= ${new Date(now.getTime() - settings.windowDays * 86_400_000)})::int AS recent
    FROM "VpnSession" WHERE identity = ${identity}`;
  const row = rows[0];
  if (!row?.first) return null;
  return learningState(row.first, row.recent, now, settings);
}

// ---------- alerts API ----------

export { ALERT_STATUSES, STATUS_LABELS, type AlertStatus } from "./alert-status.ts";
const RULE_IDS = Object.keys(RULES) as [RuleId, ...RuleId[]];

export const AlertQuerySchema = z.object({
  identity: z.string().trim().toLowerCase().max(320).optional(),
  status: z.enum(ALERT_STATUSES, { error: "status is new, in_progress, resolved or dismissed." }).optional(),
  severity: z.enum(["medium", "high"], { error: "severity is medium or high." }).optional(),
  rule: z.enum(RULE_IDS, { error: `rule is ${RULE_IDS.join(", ")}.` }).optional(),
  since: z.iso.datetime({ offset: true, error: "since must be an ISO 8601 date-time." }).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

type AlertRow = Prisma.AlertGetPayload<object>;
export const alertToJson = (a: AlertRow) => ({
  id: a.id.toString(),
  rule: a.rule as RuleId,
  title: RULES[a.rule as RuleId]?.title ?? a.rule,
  severity: a.severity,
  status: a.status,
  identity: a.identity,
  occurredAt: a.occurredAt.toISOString(),
  createdAt: a.createdAt.toISOString(),
  updatedAt: a.updatedAt.toISOString(),
  occurrences: a.occurrences,
  evidence: a.evidence,
});

export async function listAlerts(db: Db, query: z.input<typeof AlertQuerySchema>) {
  const q = parseInput(AlertQuerySchema, query);
  const rows = await db.alert.findMany({
    where: {
      ...(q.identity ? { identity: q.identity } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.severity ? { severity: q.severity } : {}),
      ...(q.rule ? { rule: q.rule } : {}),
      ...(q.since ? { createdAt: { gte: new Date(q.since) } } : {}),
    },
    orderBy: { id: "desc" },
    take: q.limit,
  });
  return { items: rows.map(alertToJson) };
}

export async function getAlert(db: Db, id: string) {
  if (!/^\d{1,18}$/.test(id)) return null;
  const alert = await db.alert.findUnique({ where: { id: BigInt(id) } });
  if (!alert) return null;
  const notes = await db.alertNote.findMany({ where: { alertId: alert.id }, orderBy: { id: "asc" } });
  return { ...alertToJson(alert), notes: notes.map((n) => ({ at: n.at.toISOString(), actor: n.actor, fromStatus: n.fromStatus, toStatus: n.toStatus, comment: n.comment })) };
}

export const AlertUpdateSchema = z
  .object({
    status: z.enum(ALERT_STATUSES, { error: "status is new, in_progress, resolved or dismissed." }),
    comment: z.string().trim().max(2000, "A comment has at most 2,000 characters.").optional(),
  })
  .strict();

export async function updateAlertStatus(db: Db, id: string, input: unknown, actor: Actor) {
  const { status, comment } = parseInput(AlertUpdateSchema, input);
  if (!/^\d{1,18}$/.test(id)) throw notFound("No such alert.");
  await db.$transaction(async (tx) => {
    const alert = await tx.alert.findUnique({ where: { id: BigInt(id) } });
    if (!alert) throw notFound("No such alert.");
    if (alert.status === status) throw conflict(`The alert is already ${status.replace("_", " ")}.`);
    if (!TRANSITIONS[alert.status].includes(status)) throw validationError(`An alert that is ${alert.status.replace("_", " ")} cannot become ${status.replace("_", " ")}.`);
    await tx.alert.update({ where: { id: alert.id }, data: { status } });
    await tx.alertNote.create({ data: { alertId: alert.id, actor: actor.label, fromStatus: alert.status, toStatus: status, comment: comment || null } });
    await recordAudit(tx, actor, { action: "alert.update", target: `alert:${alert.id}`, changes: { status: { from: alert.status, to: status }, ...(comment ? { comment: "added" } : {}) } });
  });
  return getAlert(db, id);
}
