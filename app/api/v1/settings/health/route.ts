import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { getHealthSettings, updateHealthSettings } from "@/lib/health/health-settings.ts";

export const GET = apiRoute(op.getHealthSettings, async () => getHealthSettings(db()));

export const PUT = apiRoute(op.putHealthSettings, async ({ body, actor }) =>
  updateHealthSettings(db(), body, await actor()),
);
