import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { countAlerts, listAlerts, updateAlerts } from "@/lib/alerts/triage.ts";

export const GET = apiRoute(op.listAlerts, async ({ query, principal }) => {
  const viewer = { userId: principal.userId };
  const [page, counts] = await Promise.all([listAlerts(db(), query, viewer), countAlerts(db(), query, viewer)]);
  return { ...page, counts };
});

export const PATCH = apiRoute(op.triageAlerts, async ({ body, actor }) => updateAlerts(db(), body, await actor()));
