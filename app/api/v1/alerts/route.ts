import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { listAlerts } from "@/lib/alerts/triage.ts";

export const GET = apiRoute(op.listAlerts, async ({ query }) => listAlerts(db(), query));
