import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { listAudit } from "@/lib/audit/log.ts";

export const GET = apiRoute(op.listAudit, async ({ query }) => listAudit(db(), query));
