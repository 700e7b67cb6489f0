import { z } from "zod";
import { readEnv } from "../config/env.ts";
import type { Db } from "../db/prisma.ts";
import { recordAudit, type Actor } from "../audit/record.ts";
import { notifyConfigChanged } from "../config/notify.ts";
import { validationError } from "../errors.ts";
import { seal, unseal, SECRET_PURPOSE } from "../secrets/seal.ts";
import {
  ROTATION_GRACE_DEFAULT_HOURS,
  RotationGraceHoursSchema,
  SharedSecretSchema,
  previousSecretLive,
  rotatedPrevious,
} from "../secrets/shared-secret.ts";
import { SETTINGS_ROW_ID } from "../db/settings-row.ts";

export const VpnSettingsUpdateSchema = z
  .object({
    enabled: z.boolean({ error: "enabled must be true or false." }),
    sharedSecret: SharedSecretSchema.optional(),
    rotationGraceHours: RotationGraceHoursSchema.optional(),
  })
  .strict();
export type VpnSettingsUpdate = z.input<typeof VpnSettingsUpdateSchema>;

/** What anyone allowed to read settings may see: never the secret itself. */
export interface VpnSettingsView {
  enabled: boolean;
  secretConfigured: boolean;
  secretUpdatedAt: Date | null;
  secretUpdatedBy: string | null;
  previousSecretExpiresAt: Date | null;
  rotationGraceHours: number;
  port: number;
}

export async function getVpnSettings(db: Db): Promise<VpnSettingsView> {
  const row = await db.vpnSettings.findUnique({ where: { id: SETTINGS_ROW_ID } });
  const previousLive = previousSecretLive(row?.previousSecretExpiresAt);
  return {
    enabled: row?.enabled ?? false,
    secretConfigured: Boolean(row?.secretSealed),
    secretUpdatedAt: row?.secretUpdatedAt ?? null,
    secretUpdatedBy: row?.secretUpdatedBy ?? null,
    previousSecretExpiresAt: previousLive ? row!.previousSecretExpiresAt : null,
    rotationGraceHours: row?.rotationGraceHours ?? ROTATION_GRACE_DEFAULT_HOURS,
    port: readEnv().RADIUS_ACCT_PORT,
  };
}

/**
 * Saves the global settings. A new secret rotates: the old one stays valid for
 * the grace period. Audited (field names only for the secret); the sensor is notified.
 */
export async function updateVpnSettings(
  db: Db,
  update: z.output<typeof VpnSettingsUpdateSchema>,
  actor: Actor,
): Promise<VpnSettingsView> {
  await db.$transaction(async (tx) => {
    await tx.vpnSettings.upsert({ where: { id: SETTINGS_ROW_ID }, create: { id: SETTINGS_ROW_ID }, update: {} });
    const [current] = await tx.$queryRaw<
      { id: number }[]
    >`SELECT id FROM "VpnSettings" WHERE id = ${SETTINGS_ROW_ID} FOR UPDATE`;
    const row = await tx.vpnSettings.findUniqueOrThrow({ where: { id: current!.id } });
    if (update.enabled && !update.sharedSecret && !row.secretSealed) {
      throw validationError("Enter a shared secret to enable radius accounting.");
    }
    const now = new Date();
    const graceHours = update.rotationGraceHours ?? row.rotationGraceHours;
    const changes: Record<string, unknown> = {};
    if (update.enabled !== row.enabled) changes.enabled = { from: row.enabled, to: update.enabled };
    if (graceHours !== row.rotationGraceHours)
      changes.rotationGraceHours = { from: row.rotationGraceHours, to: graceHours };
    const secretChanged =
      update.sharedSecret !== undefined &&
      (!row.secretSealed || unseal(row.secretSealed, SECRET_PURPOSE.vpnSharedSecret) !== update.sharedSecret);
    let secretFields = {};
    if (secretChanged) {
      const { previousSealed, previousExpiresAt } = rotatedPrevious({ sealed: row.secretSealed }, graceHours, now);
      secretFields = {
        secretSealed: seal(update.sharedSecret!, SECRET_PURPOSE.vpnSharedSecret),
        secretUpdatedAt: now,
        secretUpdatedBy: actor.label,
        previousSecretSealed: previousSealed,
        previousSecretExpiresAt: previousExpiresAt,
      };
      changes.sharedSecret = row.secretSealed ? "rotated" : "set";
    }
    if (!Object.keys(changes).length) return;
    await tx.vpnSettings.update({
      where: { id: SETTINGS_ROW_ID },
      data: { enabled: update.enabled, rotationGraceHours: graceHours, ...secretFields },
    });
    await recordAudit(tx, actor, { action: "vpn.update", target: "settings:vpn", changes });
    await notifyConfigChanged(tx, "vpn");
  });
  return getVpnSettings(db);
}
