import { z } from "zod";
import type { Db } from "../db/prisma.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { recordAudit, type Actor } from "../audit/record.ts";
import { DEFAULT_DETECTION_SETTINGS, RULES, learningState, type RuleId } from "./detections.ts";
import { conflict, notFound, validationError } from "../errors.ts";
import { decodeCursor, encodeCursor } from "../api/cursor.ts";
import { ALERT_STATUSES, TRANSITIONS } from "./status.ts";
import { isoDateTime, wholeNumber } from "../api/params.ts";
import { SEVERITIES } from "./severity.ts";
import { ACCOUNT_SQL } from "../directory/account-context.ts";

// The alerts API and the entity profile's learning state. Judging sessions and raising
// alerts is lib/alerts/session-judging.ts (run by the sensor's detector process, without Prisma).

/** "learning until <date>" for the entity profile. */
export async function identityLearning(
  db: Db,
  identity: string,
  settings = DEFAULT_DETECTION_SETTINGS,
  now = new Date(),
) {
  // First seen as the detector reads it (the identity's summary row), which retention keeps.
  const rows = await db.$queryRaw<{ first: Date | null; recent: number }[]>`
    SELECT i."firstSeenAt" AS first,
           (SELECT count(*) FROM "VpnSession" s WHERE s.identity = i.identity AND s."startedAt" >= ${new Date(now.getTime() - settings.windowDays * 86_400_000)})::int AS recent
    FROM "Identity" i WHERE i.identity = ${identity}`;
  const row = rows[0];
  if (!row?.first) return null;
  return learningState(row.first, row.recent, now, settings);
}

// ---------- alerts API ----------

export { ALERT_STATUSES, STATUS_LABELS, type AlertStatus } from "./status.ts";
const RULE_IDS = Object.keys(RULES) as [RuleId, ...RuleId[]];

export const AlertQuerySchema = z.object({
  identity: z.string().trim().toLowerCase().max(320).optional(),
  status: z.enum(ALERT_STATUSES, { error: "status is new, in_progress, resolved or dismissed." }).optional(),
  severity: z.enum(SEVERITIES, { error: `severity is ${SEVERITIES.join(", ")}.` }).optional(),
  sensitive: z
    .stringbool({ error: "sensitive is true or false." })
    .optional()
    .describe("true: only alerts on sensitive directory accounts; false: only the others"),
  rule: z.enum(RULE_IDS, { error: `rule is ${RULE_IDS.join(", ")}.` }).optional(),
  since: isoDateTime("since").optional(),
  limit: wholeNumber("limit", 1, 500).default(100),
  cursor: z.string().max(200).optional().describe("nextCursor of the previous page"),
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

/** The identities of sensitive directory accounts (the rule: lib/directory/account-context.ts). */
async function sensitiveIdentities(db: Db): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ upn: string }[]>(
    `SELECT d."userPrincipalName" AS upn FROM "DirectoryAccount" d
      WHERE d."goneAt" IS NULL AND d."userPrincipalName" IS NOT NULL AND ${ACCOUNT_SQL.sensitive}`,
  );
  return rows.map((r) => r.upn);
}

export async function listAlerts(db: Db, q: z.output<typeof AlertQuerySchema>) {
  const after = q.cursor ? decodeCursor(q.cursor) : null;
  const sensitive = q.sensitive === undefined ? null : await sensitiveIdentities(db);
  const rows = await db.alert.findMany({
    where: {
      AND: [
        q.identity ? { identity: q.identity } : {},
        sensitive ? { identity: q.sensitive ? { in: sensitive } : { notIn: sensitive } } : {},
      ],
      ...(q.status ? { status: q.status } : {}),
      ...(q.severity ? { severity: q.severity } : {}),
      ...(q.rule ? { rule: q.rule } : {}),
      ...(q.since ? { createdAt: { gte: new Date(q.since) } } : {}),
      ...(after ? { id: { lt: after.id } } : {}),
    },
    orderBy: { id: "desc" },
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map(alertToJson),
    nextCursor: rows.length > q.limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}

export async function getAlert(db: Db, id: string) {
  if (!/^\d{1,18}$/.test(id)) return null;
  const alert = await db.alert.findUnique({ where: { id: BigInt(id) } });
  if (!alert) return null;
  const notes = await db.alertNote.findMany({ where: { alertId: alert.id }, orderBy: { id: "asc" } });
  return {
    ...alertToJson(alert),
    notes: notes.map((n) => ({
      at: n.at.toISOString(),
      actor: n.actor,
      fromStatus: n.fromStatus,
      toStatus: n.toStatus,
      comment: n.comment,
    })),
  };
}

export const AlertUpdateSchema = z
  .object({
    status: z.enum(ALERT_STATUSES, { error: "status is new, in_progress, resolved or dismissed." }),
    comment: z.string().trim().max(2000, "A comment has at most 2,000 characters.").optional(),
  })
  .strict();

export async function updateAlertStatus(db: Db, id: string, input: z.output<typeof AlertUpdateSchema>, actor: Actor) {
  const { status, comment } = input;
  if (!/^\d{1,18}$/.test(id)) throw notFound("No such alert.");
  await db.$transaction(async (tx) => {
    const alert = await tx.alert.findUnique({ where: { id: BigInt(id) } });
    if (!alert) throw notFound("No such alert.");
    if (alert.status === status) throw conflict(`The alert is already ${status.replace("_", " ")}.`);
    if (!TRANSITIONS[alert.status].includes(status))
      throw validationError(
        `An alert that is ${alert.status.replace("_", " ")} cannot become ${status.replace("_", " ")}.`,
      );
    await tx.alert.update({ where: { id: alert.id }, data: { status } });
    await tx.alertNote.create({
      data: {
        alertId: alert.id,
        actor: actor.label,
        fromStatus: alert.status,
        toStatus: status,
        comment: comment || null,
      },
    });
    await recordAudit(tx, actor, {
      action: "alert.update",
      target: `alert:${alert.id}`,
      changes: { status: { from: alert.status, to: status }, ...(comment ? { comment: "added" } : {}) },
    });
  });
  return getAlert(db, id);
}
