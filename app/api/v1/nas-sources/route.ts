import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db, prismaSql } from "@/lib/db/prisma";
import { listNasSources } from "@/lib/health/nas-sources.ts";

export const GET = apiRoute(op.listNasSources, async ({ query }) => ({
  items: await listNasSources(prismaSql(db()), query),
}));
