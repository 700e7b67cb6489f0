import type { Prisma } from "../generated/prisma/client.ts";

export interface Actor {
  /** "user:<email>", "token:<name>", "cli" or "system". */
  label: string;
  sourceIp?: string | null;
}

type Tx = Pick<Prisma.TransactionClient, "auditEntry">;

/** `changes` holds field names with old/new values, or "changed" for secrets: never a secret value. */
export async function recordAudit(
  tx: Tx,
  actor: Actor,
  entry: { action: string; target: string; changes: Record<string, unknown> },
): Promise<void> {
  await tx.auditEntry.create({
    data: {
      actor: actor.label,
      action: entry.action,
      target: entry.target,
      changes: entry.changes as Prisma.InputJsonValue,
      sourceIp: actor.sourceIp ?? null,
    },
  });
}

/** Field-by-field differences of the non-secret fields named in `fields`. */
export function diffFields<T extends Record<string, unknown>>(before: T, after: Partial<T>, fields: (keyof T)[]) {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const field of fields) {
    if (field in after && after[field] !== undefined && after[field] !== before[field]) {
      changes[field as string] = { from: before[field], to: after[field] };
    }
  }
  return changes;
}
