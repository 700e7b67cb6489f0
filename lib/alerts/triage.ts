import { z } from "zod";
import type { Db } from "../db/prisma.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { recordAudit, type Actor } from "../audit/record.ts";
import { DEFAULT_DETECTION_SETTINGS, RULES, learningState, type RuleId } from "./detections.ts";
import { type AppError, conflict, notFound, validationError } from "../errors.ts";
import { decodeCursor, encodeCursor } from "../api/cursor.ts";
import { ALERT_STATUSES, OPEN_STATUSES, TRANSITIONS, type AlertStatus } from "./status.ts";
import { isoDateTime, wholeNumber } from "../api/params.ts";
import { SEVERITIES, type Severity } from "./severity.ts";
import { identitySearchSql } from "../identities/views.ts";
import { readEvidence } from "./evidence.ts";
import { alertSessions, type AlertSession } from "./alert-sessions.ts";
import { exclusionMatcher, exclusionToJson } from "./exclusions.ts";
import { ACCOUNT_SQL } from "../directory/account-context.ts";
import { PERMISSIONS, can } from "../auth/permissions.ts";

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
  identity: z
    .string()
    .trim()
    .toLowerCase()
    .max(320)
    .optional()
    .describe("UPN, alias or DOMAIN\\user (substring), as the identities search"),
  status: z
    .enum([...ALERT_STATUSES, "open"], { error: "status is new, in_progress, resolved, dismissed or open." })
    .optional()
    .describe("open: new or in progress"),
  severity: z.enum(SEVERITIES, { error: `severity is ${SEVERITIES.join(", ")}.` }).optional(),
  sensitive: z
    .stringbool({ error: "sensitive is true or false." })
    .optional()
    .describe("true: only alerts on sensitive directory accounts; false: only the others"),
  rule: z
    .enum(RULE_IDS, { error: `rule is ${RULE_IDS.join(", ")}.` })
    .optional()
    .describe("alerts with this rule among their rules"),
  assignee: z.string().trim().toLowerCase().max(254).optional().describe("a user's email, me, or none (unassigned)"),
  since: isoDateTime("since").optional(),
  limit: wholeNumber("limit", 1, 500).default(100),
  cursor: z.string().max(200).optional().describe("nextCursor of the previous page"),
});
export type AlertQuery = z.output<typeof AlertQuerySchema>;

const ALERT_INCLUDE = { assignee: { select: { email: true, name: true } } } as const;
type AlertRow = Prisma.AlertGetPayload<{ include: typeof ALERT_INCLUDE }>;

/** Every rule of the alert's incident (alerts raised before incidents, or written by hand, have only their own). */
const rulesOf = (a: { rule: string; rules: string[] }) => (a.rules.length ? a.rules : [a.rule]);

/** An alert as the API and the pages give it: its rules, assignee, the sessions it is about, what excludes it now. */
function alertToJson(a: AlertRow, sessions: AlertSession[], excludedBy: ReturnType<typeof exclusionToJson> | null) {
  return {
    id: a.id.toString(),
    rule: a.rule as RuleId,
    title: RULES[a.rule as RuleId]?.title ?? a.rule,
    rules: rulesOf(a) as RuleId[],
    severity: a.severity,
    status: a.status,
    identity: a.identity,
    assignee: a.assignee ? { email: a.assignee.email, name: a.assignee.name } : null,
    occurredAt: a.occurredAt.toISOString(),
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
    occurrences: a.occurrences,
    sessions,
    excludedBy,
    evidence: a.evidence,
  };
}
export type AlertJson = ReturnType<typeof alertToJson>;

/** The alerts as JSON: their sessions in one query, and the exclusion (if any) that covers each one's session now. */
async function alertsToJson(db: Db, rows: AlertRow[]): Promise<AlertJson[]> {
  const views = rows.map((a) => readEvidence(a.rule, a.evidence));
  const [sessions, excluded] = await Promise.all([alertSessions(db, views), exclusionMatcher(db)]);
  return rows.map((a, i) => {
    const trigger = sessions[i]!.find((s) => s.role === "trigger");
    const by = trigger
      ? rulesOf(a)
          .map((rule) =>
            excluded({
              rule,
              identity: a.identity,
              publicIp: trigger.publicIp,
              countryCode: trigger.countryCode,
              nas: trigger.nasNames,
            }),
          )
          .find(Boolean)
      : null;
    return alertToJson(a, sessions[i]!, by ? exclusionToJson(by) : null);
  });
}

/** The conditions of a query but one: each count by status (or severity) keeps every other filter. */
async function alertConditions(
  db: Db,
  q: AlertQuery,
  viewer: AlertViewer,
  skip: "status" | "severity" | null,
): Promise<Prisma.Sql[]> {
  const c: Prisma.Sql[] = [];
  if (viewer.exactIdentity) c.push(Prisma.sql`a.identity = ${viewer.exactIdentity}`);
  if (viewer.withinDays) c.push(Prisma.sql`a."occurredAt" >= ${new Date(Date.now() - viewer.withinDays * 86_400_000)}`);
  if (q.identity) c.push(await identitySearchSql(db, q.identity, Prisma.raw("a.identity")));
  if (q.sensitive !== undefined)
    c.push(
      Prisma.sql`${Prisma.raw(q.sensitive ? "" : "NOT ")}EXISTS (SELECT 1 FROM "DirectoryAccount" d
        WHERE d."userPrincipalName" = a.identity AND d."goneAt" IS NULL AND ${Prisma.raw(ACCOUNT_SQL.sensitive)})`,
    );
  if (q.status === "open" && skip !== "status")
    c.push(Prisma.sql`a.status IN (${Prisma.join(OPEN_STATUSES.map((s) => Prisma.sql`${s}::"AlertStatus"`))})`);
  else if (q.status && skip !== "status") c.push(Prisma.sql`a.status = ${q.status}::"AlertStatus"`);
  if (q.severity && skip !== "severity") c.push(Prisma.sql`a.severity = ${q.severity}`);
  if (q.rule) c.push(Prisma.sql`(${q.rule} = ANY(a.rules) OR a.rule = ${q.rule})`);
  if (q.since) c.push(Prisma.sql`a."createdAt" >= ${new Date(q.since)}`);
  if (q.assignee === "none") c.push(Prisma.sql`a."assigneeId" IS NULL`);
  else if (q.assignee === "me") c.push(Prisma.sql`a."assigneeId" = ${viewer.userId ?? null}::uuid`);
  else if (q.assignee) c.push(Prisma.sql`a."assigneeId" = (SELECT u.id FROM "User" u WHERE u.email = ${q.assignee})`);
  return c;
}
const whereOf = (c: Prisma.Sql[]) => (c.length ? Prisma.sql`WHERE ${Prisma.join(c, " AND ")}` : Prisma.empty);

/** Who asks (assignee=me); for the profile, its one identity (exact, not the search) and its range. */
export interface AlertViewer {
  userId?: string;
  exactIdentity?: string;
  /** Only alerts on sessions of the last so many days. */
  withinDays?: number;
}

export async function listAlerts(db: Db, q: AlertQuery, viewer: AlertViewer = {}) {
  const after = q.cursor ? decodeCursor(q.cursor) : null;
  const conditions = await alertConditions(db, q, viewer, null);
  const ids = await db.$queryRaw<{ id: bigint }[]>`
    SELECT a.id FROM "Alert" a
    ${whereOf([...conditions, ...(after ? [Prisma.sql`a.id < ${after.id}`] : [])])}
    ORDER BY a.id DESC LIMIT ${q.limit + 1}`;
  const page = ids.slice(0, q.limit).map((r) => r.id);
  const rows = await db.alert.findMany({
    where: { id: { in: page } },
    include: ALERT_INCLUDE,
    orderBy: { id: "desc" },
  });
  const last = rows.at(-1);
  return {
    items: await alertsToJson(db, rows),
    nextCursor: ids.length > q.limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}

/** Counts by status and by severity under the other filters (a count by status ignores the status filter). */
export async function countAlerts(db: Db, q: AlertQuery, viewer: AlertViewer = {}) {
  const [byStatus, bySeverity] = await Promise.all(
    (["status", "severity"] as const).map(async (dimension) => {
      const rows = await db.$queryRaw<{ key: string; n: number }[]>`
        SELECT a.${Prisma.raw(dimension)}::text AS key, count(*)::int AS n FROM "Alert" a
        ${whereOf(await alertConditions(db, q, viewer, dimension))} GROUP BY 1`;
      return new Map(rows.map((r) => [r.key, r.n]));
    }),
  );
  return {
    status: Object.fromEntries(ALERT_STATUSES.map((s) => [s, byStatus!.get(s) ?? 0])) as Record<AlertStatus, number>,
    severity: Object.fromEntries(SEVERITIES.map((s) => [s, bySeverity!.get(s) ?? 0])) as Record<Severity, number>,
  };
}

export async function getAlert(db: Db, id: string) {
  if (!/^\d{1,18}$/.test(id)) return null;
  const alert = await db.alert.findUnique({ where: { id: BigInt(id) }, include: ALERT_INCLUDE });
  if (!alert) return null;
  const notes = await db.alertNote.findMany({ where: { alertId: alert.id }, orderBy: { id: "asc" } });
  return {
    ...(await alertsToJson(db, [alert]))[0]!,
    notes: notes.map((n) => ({
      at: n.at.toISOString(),
      actor: n.actor,
      fromStatus: n.fromStatus,
      toStatus: n.toStatus,
      comment: n.comment,
    })),
  };
}

const assigneeField = z
  .email({ error: "assignee is a user's email, or null to unassign." })
  .trim()
  .toLowerCase()
  .max(254)
  .nullable()
  .optional()
  .describe("an analyst's or admin's email; null unassigns");
const commentField = z.string().trim().max(2000, "A comment has at most 2,000 characters.").optional();
const statusField = z.enum(ALERT_STATUSES, { error: "status is new, in_progress, resolved or dismissed." }).optional();

export const AlertUpdateSchema = z
  .object({ status: statusField, assignee: assigneeField, comment: commentField })
  .strict()
  .refine((u) => u.status !== undefined || u.assignee !== undefined || Boolean(u.comment), {
    error: "Send a status, an assignee or a comment.",
  });
export type AlertUpdate = z.output<typeof AlertUpdateSchema>;

export const AlertBulkUpdateSchema = z
  .object({
    ids: z
      .array(z.string().regex(/^\d{1,18}$/, "ids are alert ids."), { error: "ids is a list of alert ids." })
      .min(1, "Select at least one alert.")
      .max(500, "At most 500 alerts at once."),
    status: statusField,
    assignee: assigneeField,
    comment: commentField,
  })
  .strict()
  .refine((u) => u.status !== undefined || u.assignee !== undefined, { error: "Send a status or an assignee." });

/** Only analysts and admins (who may triage) take alerts; a disabled user none. */
async function assigneeId(tx: Prisma.TransactionClient, email: string | null | undefined) {
  if (email === undefined || email === null) return email;
  const user = await tx.user.findUnique({ where: { email } });
  if (!user || user.disabled || !can(user.role, "alerts.triage"))
    throw validationError(`${email} is not an analyst or admin who can take alerts.`);
  return user.id;
}

/**
 * One alert's change, inside the caller's transaction: a note and an audit entry per alert. Returns why not (the
 * error a single update answers with; the bulk action lists its message), or null.
 */
async function applyUpdate(
  tx: Prisma.TransactionClient,
  id: bigint,
  input: AlertUpdate,
  newAssignee: string | null | undefined,
  actor: Actor,
): Promise<AppError | null> {
  const alert = await tx.alert.findUnique({ where: { id }, include: ALERT_INCLUDE });
  if (!alert) return notFound("No such alert.");
  const { status, comment, assignee } = input;
  const statusChange = status !== undefined && status !== alert.status;
  if (statusChange && !TRANSITIONS[alert.status].includes(status))
    return validationError(
      `An alert that is ${alert.status.replace("_", " ")} cannot become ${status.replace("_", " ")}.`,
    );
  const assigneeChange = newAssignee !== undefined && newAssignee !== alert.assigneeId;
  if (!statusChange && !assigneeChange && !comment)
    return conflict(
      status !== undefined
        ? `The alert is already ${status.replace("_", " ")}.`
        : `The alert is already ${assignee ? `assigned to ${assignee}` : "unassigned"}.`,
    );
  await tx.alert.update({
    where: { id },
    data: { ...(statusChange ? { status } : {}), ...(assigneeChange ? { assigneeId: newAssignee } : {}) },
  });
  if (statusChange || comment)
    await tx.alertNote.create({
      data: {
        alertId: id,
        actor: actor.label,
        fromStatus: alert.status,
        toStatus: statusChange ? status : alert.status,
        comment: comment || null,
      },
    });
  await recordAudit(tx, actor, {
    action: "alert.update",
    target: `alert:${id}`,
    changes: {
      ...(statusChange ? { status: { from: alert.status, to: status } } : {}),
      ...(assigneeChange ? { assignee: { from: alert.assignee?.email ?? null, to: assignee ?? null } } : {}),
      ...(comment ? { comment: "added" } : {}),
    },
  });
  return null;
}

export async function updateAlert(db: Db, id: string, input: AlertUpdate, actor: Actor) {
  if (!/^\d{1,18}$/.test(id)) throw notFound("No such alert.");
  await db.$transaction(async (tx) => {
    const problem = await applyUpdate(tx, BigInt(id), input, await assigneeId(tx, input.assignee), actor);
    if (problem) throw problem;
  });
  return getAlert(db, id);
}

/** Many alerts at once (the list's bulk action): each changed, noted and audited as if alone; the rest say why not. */
export async function updateAlerts(db: Db, input: z.output<typeof AlertBulkUpdateSchema>, actor: Actor) {
  const { ids, ...change } = input;
  const unique = [...new Set(ids)];
  const skipped: { id: string; reason: string }[] = [];
  await db.$transaction(
    async (tx) => {
      const newAssignee = await assigneeId(tx, change.assignee);
      for (const id of unique) {
        const problem = await applyUpdate(tx, BigInt(id), change, newAssignee, actor);
        if (problem) skipped.push({ id, reason: problem.message });
      }
    },
    { timeout: 60_000 },
  );
  return { updated: unique.filter((id) => !skipped.some((s) => s.id === id)), skipped };
}

/** Who may take an alert: the assignee choices (analysts and admins, not disabled). */
export async function assignableUsers(db: Db) {
  return db.user.findMany({
    where: { disabled: false, role: { in: [...PERMISSIONS["alerts.triage"]] } },
    select: { email: true, name: true },
    orderBy: { email: "asc" },
  });
}
