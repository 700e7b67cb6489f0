import { z } from "zod";
import { recordAudit, type Actor } from "../audit/record.ts";
import { parseCertificateBundle, type CertificateSummary } from "./certificates.ts";
import { notifyConfigChanged } from "../config/notify.ts";
import type { Db } from "../db/prisma.ts";
import { validationError } from "../errors.ts";
import { listSensors } from "./sensors.ts";
import { SETTINGS_ROW_ID } from "../db/settings-row.ts";

/** PUT /api/v1/settings/radsec: the CA bundle (PEM) that signs RadSec clients' certificates, or null to remove it. */
export const RadsecSettingsUpdateSchema = z
  .object({ clientCa: z.string({ error: "clientCa is PEM text or null." }).nullable() })
  .strict();

export interface RadsecSettingsView {
  /** The uploaded client CA certificates (public data); empty when none is uploaded. */
  clientCa: CertificateSummary[];
  clientCaPem: string | null;
  /** What each sensor reports of its listener (port, certificate fingerprint, listening or not). */
  sensors: { sensorId: string; online: boolean; radsec: SensorRadsec | null }[];
}

export interface SensorRadsec {
  listening: boolean;
  port: number;
  fingerprint256: string;
  certificateSource: "file" | "generated";
  clientCa: "file" | "portal" | "file+portal" | null;
  error: string | null;
}

export async function getRadsecSettings(db: Db): Promise<RadsecSettingsView> {
  const row = await db.vpnSettings.findUnique({ where: { id: SETTINGS_ROW_ID }, select: { radsecClientCa: true } });
  const pem = row?.radsecClientCa ?? null;
  const parsed = pem ? parseCertificateBundle(pem) : null;
  const sensors = await listSensors(db);
  return {
    clientCa: parsed?.ok ? parsed.certificates : [],
    clientCaPem: pem,
    sensors: sensors.map((s) => ({ sensorId: s.sensorId, online: s.online, radsec: s.radsec && withoutPem(s.radsec) })),
  };
}

function withoutPem(r: SensorRadsec & { certificatePem?: string }): SensorRadsec {
  const { certificatePem: _pem, ...rest } = r;
  return rest;
}

/** The server certificate a sensor reported (PEM), for an admin to configure the proxy or NAS with. */
export async function sensorRadsecCertificate(db: Db, sensorId: string): Promise<string | null> {
  const row = await db.sensorStatus.findUnique({ where: { sensorId }, select: { radsec: true } });
  const radsec = row?.radsec as { certificatePem?: unknown } | null | undefined;
  return typeof radsec?.certificatePem === "string" ? radsec.certificatePem : null;
}

/** Uploads (or removes) the client CA; validated, audited (subjects and fingerprints), and the sensors notified. */
export async function updateRadsecSettings(
  db: Db,
  input: z.output<typeof RadsecSettingsUpdateSchema>,
  actor: Actor,
): Promise<RadsecSettingsView> {
  const { clientCa } = input;
  const pem = clientCa?.trim() ? clientCa.trim() + "\n" : null;
  let certificates: CertificateSummary[] = [];
  if (pem) {
    const parsed = parseCertificateBundle(pem);
    if (!parsed.ok) throw validationError(parsed.message, [{ path: ["clientCa"], message: parsed.message }]);
    certificates = parsed.certificates;
  }
  await db.$transaction(async (tx) => {
    await tx.vpnSettings.upsert({
      where: { id: SETTINGS_ROW_ID },
      create: { id: SETTINGS_ROW_ID, radsecClientCa: pem },
      update: { radsecClientCa: pem },
    });
    await recordAudit(tx, actor, {
      action: "radsec.client_ca",
      target: "settings:radsec",
      changes: {
        clientCa: pem ? certificates.map((c) => ({ subject: c.subject, fingerprint256: c.fingerprint256 })) : null,
      },
    });
    await notifyConfigChanged(tx, "radsec");
  });
  return getRadsecSettings(db);
}
