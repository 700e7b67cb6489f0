import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db, prismaSql } from "@/lib/db/prisma";
import { listHealthIssues, reconcileHealthIssues } from "@/lib/health/health-issues.ts";

// The checks run first: with every sensor stopped no detector runs them, and that is an issue to show.
export const GET = apiRoute(op.listHealthIssues, async ({ query }) => {
  const sql = prismaSql(db());
  await reconcileHealthIssues(sql);
  return { items: await listHealthIssues(sql, query) };
});
