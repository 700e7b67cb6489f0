import { z } from "zod";
import type { Db } from "../db/prisma.ts";
import { recordAudit, type Actor } from "../audit/record.ts";
import { notFound, validationError } from "../errors.ts";
import { formatIpBlock, parseIpOrCidr } from "../net/cidr.ts";
import { isoDateTime } from "../api/params.ts";
import { RULES, type RuleId } from "./detections.ts";
import { compileExclusions, describeExclusion, type ExclusionMatcher, type ExclusionRule } from "./exclusion-match.ts";

// Exclusions (Settings › Detections, "Exclude…" on an alert, /api/v1/exclusions): known cases the detector does not
// alert on. Matching is lib/alerts/exclusion-match.ts, shared with the detector.

const RULE_IDS = Object.keys(RULES) as [RuleId, ...RuleId[]];
const ruleTitle = (rule: string) => RULES[rule as RuleId]?.title ?? rule;

export const ExclusionCreateSchema = z
  .object({
    rule: z
      .enum(RULE_IDS, { error: `rule is ${RULE_IDS.join(", ")}, or null for every rule.` })
      .nullable()
      .default(null)
      .describe("the rule it applies to; null: every rule"),
    identity: z.string().trim().toLowerCase().min(1).max(320).optional(),
    ipBlock: z
      .string()
      .trim()
      .max(64)
      .optional()
      .transform((v, ctx) => {
        if (v === undefined || v === "") return undefined;
        const block = parseIpOrCidr(v);
        if (!block) {
          ctx.addIssue({ code: "custom", message: "ipBlock is an IP address or a CIDR block (203.0.113.0/24)." });
          return z.NEVER;
        }
        return formatIpBlock(block);
      })
      .describe("an IP address or CIDR block the session's public IP lies in"),
    countryCode: z
      .string()
      .trim()
      .regex(/^[A-Za-z]{2}$/, "countryCode is a two-letter ISO country code.")
      .transform((c) => c.toUpperCase())
      .optional(),
    nas: z.string().trim().min(1).max(255).optional().describe("NAS-IP-Address, NAS-Identifier or the NAS's address"),
    reason: z.string().trim().min(1, "Give a reason.").max(500, "A reason has at most 500 characters."),
    expiresAt: isoDateTime("expiresAt")
      .nullable()
      .optional()
      .describe("when it stops applying; null or left out: never"),
    fromAlertId: z
      .string()
      .regex(/^\d{1,18}$/, "fromAlertId is an alert id.")
      .optional()
      .describe("the alert it was made from"),
  })
  .strict()
  .refine((e) => e.identity || e.ipBlock || e.countryCode || e.nas, {
    error: "Name what to exclude: an identity, an IP or CIDR, a country or a NAS.",
  });
export type ExclusionCreate = z.output<typeof ExclusionCreateSchema>;

type Row = Awaited<ReturnType<Db["detectionExclusion"]["findMany"]>>[number];

export function exclusionToJson(e: ExclusionRule & Partial<Row>, now = new Date()) {
  return {
    id: e.id,
    rule: e.rule,
    identity: e.identity,
    ipBlock: e.ipBlock,
    countryCode: e.countryCode,
    nas: e.nas,
    reason: e.reason,
    description: describeExclusion(e, ruleTitle),
    expiresAt: e.expiresAt?.toISOString() ?? null,
    active: !e.expiresAt || e.expiresAt > now,
    ...(e.createdAt
      ? {
          fromAlertId: e.fromAlertId?.toString() ?? null,
          createdBy: e.createdBy,
          createdAt: e.createdAt.toISOString(),
          suppressed: e.suppressed,
          lastSuppressedAt: e.lastSuppressedAt?.toISOString() ?? null,
        }
      : {}),
  };
}

export async function listExclusions(db: Db) {
  const rows = await db.detectionExclusion.findMany({ orderBy: { createdAt: "desc" } });
  return { items: rows.map((r) => exclusionToJson(r)) };
}

/** The exclusions in force, compiled: what covers an alert now (its `excludedBy`). */
export async function exclusionMatcher(db: Db): Promise<ExclusionMatcher> {
  const now = new Date();
  const rows = await db.detectionExclusion.findMany({
    where: { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
  });
  return compileExclusions(rows);
}

export async function createExclusion(db: Db, input: ExclusionCreate, actor: Actor) {
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
  if (expiresAt && expiresAt <= new Date()) throw validationError("expiresAt must be in the future.");
  const created = await db.$transaction(async (tx) => {
    if (input.fromAlertId && !(await tx.alert.findUnique({ where: { id: BigInt(input.fromAlertId) } })))
      throw validationError("fromAlertId names no alert.");
    const row = await tx.detectionExclusion.create({
      data: {
        rule: input.rule,
        identity: input.identity ?? null,
        ipBlock: input.ipBlock ?? null,
        countryCode: input.countryCode ?? null,
        nas: input.nas ?? null,
        reason: input.reason,
        expiresAt,
        fromAlertId: input.fromAlertId ? BigInt(input.fromAlertId) : null,
        createdBy: actor.label,
      },
    });
    await recordAudit(tx, actor, {
      action: "exclusion.create",
      target: `exclusion:${row.id}`,
      changes: {
        rule: row.rule ?? "every rule",
        ...Object.fromEntries(
          (["identity", "ipBlock", "countryCode", "nas", "reason", "fromAlertId"] as const)
            .filter((k) => row[k] !== null)
            .map((k) => [k, String(row[k])]),
        ),
        expiresAt: row.expiresAt?.toISOString() ?? null,
      },
    });
    return row;
  });
  return exclusionToJson(created);
}

export async function deleteExclusion(db: Db, id: string, actor: Actor): Promise<void> {
  await db.$transaction(async (tx) => {
    const row = await tx.detectionExclusion.findUnique({ where: { id } });
    if (!row) throw notFound("No such exclusion.");
    await tx.detectionExclusion.delete({ where: { id } });
    await recordAudit(tx, actor, {
      action: "exclusion.delete",
      target: `exclusion:${id}`,
      changes: { description: describeExclusion(row, ruleTitle), reason: row.reason, suppressed: row.suppressed },
    });
  });
}
