import { apiRoute } from "@/lib/api/door";
import { can } from "@/lib/auth/permissions";
import { getForwardingSettings, updateForwardingSettings } from "@/lib/alert-forwarding";
import { db } from "@/lib/db/prisma";

export const GET = apiRoute("vpn.read", async ({ principal }) =>
  getForwardingSettings(db(), { revealCredentials: can(principal.role, "alertForwarding.write") }),
);
export const PUT = apiRoute("alertForwarding.write", async ({ json, actor }) =>
  updateForwardingSettings(db(), await json(), await actor()),
);
