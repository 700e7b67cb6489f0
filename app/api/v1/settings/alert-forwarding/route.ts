import { apiRoute } from "@/lib/api/door";
import { getForwardingSettings, updateForwardingSettings } from "@/lib/alert-forwarding";
import { db } from "@/lib/db/prisma";

export const GET = apiRoute("vpn.read", async () => getForwardingSettings(db()));
export const PUT = apiRoute("alertForwarding.write", async ({ json, actor }) => updateForwardingSettings(db(), await json(), await actor()));
