import { z } from "zod";
import type { Db } from "../db/prisma.ts";
import { recordAudit, type Actor } from "../audit/record.ts";
import { enabledTargets, sendTo, type ForwardedAlert, type Target } from "./delivery.ts";
import { credentialUrlFor } from "../secrets/credential-display.ts";
import { describeDeliveryError } from "./forwarding-destination.ts";
import { validationError } from "../errors.ts";
import { SECRET_PURPOSE, seal } from "../secrets/seal.ts";
import { SETTINGS_ROW_ID } from "../db/settings-row.ts";

// The portal's side of alert forwarding: its settings and "Send test". The sending and the
// delivery queue are in lib/alerts/delivery.ts (the detector runs them without Prisma).

export const ForwardingSettingsSchema = z
  .object({
    syslogEnabled: z.boolean(),
    syslogHost: z.string().trim().max(255).optional().nullable(),
    syslogPort: z.number().int().min(1).max(65535).optional().nullable(),
    syslogProtocol: z.enum(["udp", "tcp"], { error: "syslogProtocol is udp or tcp." }).default("udp"),
    webhookEnabled: z.boolean(),
    webhookUrl: z
      .url({ protocol: /^https?$/, error: "webhookUrl must be an http(s) URL." })
      .optional()
      .nullable(),
    /** Write-only; omit to keep the current one. */
    webhookSecret: z
      .string()
      .min(16, "The webhook secret needs at least 16 characters.")
      .max(256)
      .optional()
      .describe("HMAC-SHA256 key for the webhook's signature. Write-only: never returned."),
  })
  .strict();

/** `revealCredentials`: the caller may change forwarding (admin); others see the webhook URL masked. */
export async function getForwardingSettings(db: Db, { revealCredentials }: { revealCredentials: boolean }) {
  const row = await db.alertForwarding.findUnique({ where: { id: SETTINGS_ROW_ID } });
  const recent = await db.alertDelivery.findMany({ orderBy: { id: "desc" }, take: 20 });
  return {
    syslogEnabled: row?.syslogEnabled ?? false,
    syslogHost: row?.syslogHost ?? null,
    syslogPort: row?.syslogPort ?? null,
    syslogProtocol: (row?.syslogProtocol ?? "udp") as "udp" | "tcp",
    webhookEnabled: row?.webhookEnabled ?? false,
    webhookUrl: credentialUrlFor(row?.webhookUrl ?? null, revealCredentials),
    webhookSecretConfigured: Boolean(row?.webhookSecretSealed),
    deliveries: recent.map((d) => ({
      id: d.id.toString(),
      alertId: d.alertId.toString(),
      target: d.target,
      attempts: d.attempts,
      deliveredAt: d.deliveredAt?.toISOString() ?? null,
      nextAttemptAt: d.deliveredAt ? null : d.nextAttemptAt.toISOString(),
      lastError: d.lastError,
    })),
  };
}

export async function updateForwardingSettings(db: Db, s: z.output<typeof ForwardingSettingsSchema>, actor: Actor) {
  if (s.syslogEnabled && (!s.syslogHost || !s.syslogPort))
    throw validationError("Syslog forwarding needs a host and a port.");
  if (s.webhookEnabled && !s.webhookUrl) throw validationError("Webhook forwarding needs a URL.");
  await db.$transaction(async (tx) => {
    const before = await tx.alertForwarding.findUnique({ where: { id: SETTINGS_ROW_ID } });
    if (s.webhookEnabled && !s.webhookSecret && !before?.webhookSecretSealed)
      throw validationError("Webhook forwarding needs a signing secret.");
    const data = {
      syslogEnabled: s.syslogEnabled,
      syslogHost: s.syslogHost ?? null,
      syslogPort: s.syslogPort ?? null,
      syslogProtocol: s.syslogProtocol,
      webhookEnabled: s.webhookEnabled,
      webhookUrl: s.webhookUrl ?? null,
      ...(s.webhookSecret ? { webhookSecretSealed: seal(s.webhookSecret, SECRET_PURPOSE.alertWebhookSecret) } : {}),
    };
    await tx.alertForwarding.upsert({
      where: { id: SETTINGS_ROW_ID },
      create: { id: SETTINGS_ROW_ID, ...data },
      update: data,
    });
    const changes: Record<string, unknown> = {};
    for (const key of [
      "syslogEnabled",
      "syslogHost",
      "syslogPort",
      "syslogProtocol",
      "webhookEnabled",
      "webhookUrl",
    ] as const) {
      if ((before?.[key] ?? null) !== data[key]) changes[key] = { from: before?.[key] ?? null, to: data[key] };
    }
    if (s.webhookSecret) changes.webhookSecret = before?.webhookSecretSealed ? "rotated" : "set";
    if (Object.keys(changes).length)
      await recordAudit(tx, actor, { action: "alert-forwarding.update", target: "settings:alert-forwarding", changes });
  });
  return getForwardingSettings(db, { revealCredentials: true });
}

/** "Send test": a sample alert to each enabled target, now; reports each result. */
export async function sendTestAlert(db: Db): Promise<{ target: Target; ok: boolean; error?: string }[]> {
  const row = await db.alertForwarding.findUnique({ where: { id: SETTINGS_ROW_ID } });
  const sample: ForwardedAlert = {
    id: "0",
    rule: "suspicious-vpn-connection",
    rules: ["suspicious-vpn-connection"],
    severity: "medium",
    status: "new",
    identity: "test@vpnsight.invalid",
    occurredAt: new Date().toISOString(),
    createdAt: new Date().toISOString(),
    evidence: { summary: "Test alert from VPN Sight", session: { publicIp: "192.0.2.1", location: "Test" } },
  };
  const targets = enabledTargets(row);
  if (!targets.length) throw validationError("Enable a syslog or webhook target first.");
  const results: { target: Target; ok: boolean; error?: string }[] = [];
  for (const target of targets) {
    try {
      await sendTo(row, target, sample);
      results.push({ target, ok: true });
    } catch (err) {
      results.push({ target, ok: false, error: describeDeliveryError(err) });
    }
  }
  return results;
}
