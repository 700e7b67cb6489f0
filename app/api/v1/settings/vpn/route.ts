import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { getVpnSettings, updateVpnSettings, type VpnSettingsView } from "@/lib/radius/vpn-settings.ts";

const toJson = (s: VpnSettingsView) => ({
  enabled: s.enabled,
  secretConfigured: s.secretConfigured,
  secretUpdatedAt: s.secretUpdatedAt,
  secretUpdatedBy: s.secretUpdatedBy,
  previousSecretExpiresAt: s.previousSecretExpiresAt,
  rotationGraceHours: s.rotationGraceHours,
  port: s.port,
});

export const GET = apiRoute(op.getVpnSettings, async () => toJson(await getVpnSettings(db())));

export const PUT = apiRoute(op.putVpnSettings, async ({ body, actor }) =>
  toJson(await updateVpnSettings(db(), body, await actor())),
);
