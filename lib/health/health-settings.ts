import { z } from "zod";
import type { Db } from "../db/prisma.ts";
import { recordAudit, type Actor } from "../audit/record.ts";
import { SETTINGS_ROW_ID } from "../db/settings-row.ts";

export const HealthSettingsSchema = z
  .object({
    silentClientMinutes: z
      .number({ error: "silentClientMinutes must be a whole number of minutes." })
      .int({ error: "silentClientMinutes must be a whole number of minutes." })
      .min(5, { error: "A RADIUS client may be silent for at least 5 minutes." })
      .max(43_200, { error: "At most 43,200 minutes (30 days)." }),
  })
  .strict();

export interface HealthSettingsView {
  silentClientMinutes: number;
}

export async function getHealthSettings(db: Db): Promise<HealthSettingsView> {
  const row = await db.vpnSettings.findUnique({ where: { id: SETTINGS_ROW_ID } });
  return { silentClientMinutes: row?.silentClientMinutes ?? 240 };
}

export async function updateHealthSettings(
  db: Db,
  update: z.output<typeof HealthSettingsSchema>,
  actor: Actor,
): Promise<HealthSettingsView> {
  await db.$transaction(async (tx) => {
    const row = await tx.vpnSettings.upsert({
      where: { id: SETTINGS_ROW_ID },
      create: { id: SETTINGS_ROW_ID },
      update: {},
    });
    if (row.silentClientMinutes === update.silentClientMinutes) return;
    await tx.vpnSettings.update({
      where: { id: SETTINGS_ROW_ID },
      data: { silentClientMinutes: update.silentClientMinutes },
    });
    await recordAudit(tx, actor, {
      action: "health.settings.update",
      target: "health",
      changes: { silentClientMinutes: { from: row.silentClientMinutes, to: update.silentClientMinutes } },
    });
  });
  return getHealthSettings(db);
}
