import { apiRoute } from "@/lib/api/door";
import { AuditQuerySchema, listAudit } from "@/lib/audit-log";
import { db } from "@/lib/db/prisma";
import { parseInput } from "@/lib/errors";

export const GET = apiRoute("audit.read", async ({ req }) =>
  listAudit(db(), parseInput(AuditQuerySchema, Object.fromEntries(new URL(req.url).searchParams))),
);
