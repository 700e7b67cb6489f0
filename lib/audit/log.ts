import { z } from "zod";
import type { Db } from "../db/prisma.ts";
import { wholeNumber } from "../api/params.ts";

export const AuditQuerySchema = z.object({
  limit: wholeNumber("limit", 1, 500).default(100),
  before: z.coerce
    .number({ error: "before must be a number." })
    .int({ error: "before is an entry id: use nextBefore from the previous page." })
    .positive({ error: "before is an entry id: use nextBefore from the previous page." })
    .optional()
    .describe("nextBefore of the previous page"),
});

export interface AuditView {
  id: string;
  at: Date;
  actor: string;
  action: string;
  target: string;
  changes: unknown;
  sourceIp: string | null;
}

/** Newest first; `before` is the id cursor from the previous page. */
export async function listAudit(
  db: Db,
  query: z.output<typeof AuditQuerySchema>,
): Promise<{ items: AuditView[]; nextBefore: string | null }> {
  const { limit, before } = query;
  const rows = await db.auditEntry.findMany({
    where: before ? { id: { lt: BigInt(before) } } : {},
    orderBy: { id: "desc" },
    take: limit,
  });
  const items = rows.map((r) => ({ ...r, id: r.id.toString() }));
  return { items, nextBefore: rows.length === limit ? items.at(-1)!.id : null };
}
