import { apiRoute } from "@/lib/api/door";
import { db } from "@/lib/db/prisma";
import { getVpnSettings, updateVpnSettings, type VpnSettingsView } from "@/lib/vpn-settings";

const toJson = (s: VpnSettingsView) => ({
  enabled: s.enabled,
  secretConfigured: s.secretConfigured,
  secretUpdatedAt: s.secretUpdatedAt,
  secretUpdatedBy: s.secretUpdatedBy,
  previousSecretExpiresAt: s.previousSecretExpiresAt,
  rotationGraceHours: s.rotationGraceHours,
  port: s.port,
});

export const GET = apiRoute("vpn.read", async () => toJson(await getVpnSettings(db())));

export const PUT = apiRoute("vpn.write", async ({ json, actor }) =>
  toJson(await updateVpnSettings(db(), await json(), await actor())),
);
