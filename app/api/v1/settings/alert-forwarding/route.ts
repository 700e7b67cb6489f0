import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { can } from "@/lib/auth/permissions";
import { getForwardingSettings, updateForwardingSettings } from "@/lib/alerts/forwarding-settings.ts";

export const GET = apiRoute(op.getAlertForwarding, async ({ principal }) =>
  getForwardingSettings(db(), { revealCredentials: can(principal.role, "alertForwarding.write") }),
);
export const PUT = apiRoute(op.putAlertForwarding, async ({ body, actor }) =>
  updateForwardingSettings(db(), body, await actor()),
);
