import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { getRadsecSettings, updateRadsecSettings } from "@/lib/radius/radsec-settings.ts";

export const GET = apiRoute(op.getRadsecSettings, async () => getRadsecSettings(db()));

export const PUT = apiRoute(op.putRadsecSettings, async ({ body, actor }) =>
  updateRadsecSettings(db(), body, await actor()),
);
