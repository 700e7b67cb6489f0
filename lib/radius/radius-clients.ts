import { z } from "zod";
import type { Db } from "../db/prisma.ts";
import { recordAudit, diffFields, type Actor } from "../audit/record.ts";
import { notifyConfigChanged } from "../config/notify.ts";
import { CertificateBindingSchema } from "./certificates.ts";
import { conflict, notFound } from "../errors.ts";
import { formatIpBlock, parseIpOrCidr } from "../net/cidr.ts";
import { seal, unseal, SECRET_PURPOSE } from "../secrets/seal.ts";
import {
  ROTATION_GRACE_DEFAULT_HOURS,
  SharedSecretSchema,
  previousSecretLive,
  rotatedPrevious,
} from "../secrets/shared-secret.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { ApiVendorSchema, toApiVendor, type ApiVendor } from "./vendors.ts";
import { SETTINGS_ROW_ID } from "../db/settings-row.ts";

export type { VendorId } from "./vendors.ts";

const AddressSchema = z
  .string()
  .trim()
  .refine((s) => parseIpOrCidr(s) !== null, "Enter an IP address or CIDR block, such as 192.0.2.10 or 10.0.0.0/24.")
  .transform((s) => formatIpBlock(parseIpOrCidr(s)!));

const clientFields = {
  name: z.string().trim().min(1, "Give the client a name.").max(64, "A client name has at most 64 characters."),
  address: AddressSchema,
  vendor: ApiVendorSchema,
  requireMessageAuthenticator: z.boolean(),
  /** RadSec: the certificate (SHA-256 fingerprint or CN/SAN name) this client must present; null: any the CA signed. */
  certificate: CertificateBindingSchema.nullable(),
};

export const CreateRadiusClientSchema = z
  .object({
    ...clientFields,
    vendor: clientFields.vendor.default("other" as const),
    requireMessageAuthenticator: clientFields.requireMessageAuthenticator.default(false),
    certificate: clientFields.certificate.default(null),
    sharedSecret: SharedSecretSchema.optional(),
  })
  .strict();
export const UpdateRadiusClientSchema = z
  .object({
    name: clientFields.name.optional(),
    address: clientFields.address.optional(),
    vendor: clientFields.vendor.optional(),
    requireMessageAuthenticator: clientFields.requireMessageAuthenticator.optional(),
    certificate: clientFields.certificate.optional(),
    /** A new own secret (rotates the old one), or null to fall back to the global secret. */
    sharedSecret: SharedSecretSchema.nullable().optional(),
  })
  .strict();

export interface RadiusClientView {
  id: string;
  name: string;
  address: string;
  vendor: ApiVendor;
  requireMessageAuthenticator: boolean;
  certificate: string | null;
  ownSecretConfigured: boolean;
  secretUpdatedAt: Date | null;
  previousSecretExpiresAt: Date | null;
}

type ClientRow = Prisma.RadiusClientGetPayload<object>;

function toView(row: ClientRow): RadiusClientView {
  const previousLive = previousSecretLive(row.previousSecretExpiresAt);
  return {
    id: row.id,
    name: row.name,
    address: row.address,
    vendor: toApiVendor(row.vendor),
    requireMessageAuthenticator: row.requireMessageAuthenticator,
    certificate: row.certificate,
    ownSecretConfigured: Boolean(row.secretSealed),
    secretUpdatedAt: row.secretUpdatedAt,
    previousSecretExpiresAt: previousLive ? row.previousSecretExpiresAt : null,
  };
}

async function graceHours(tx: Prisma.TransactionClient): Promise<number> {
  return (
    (await tx.vpnSettings.findUnique({ where: { id: SETTINGS_ROW_ID } }))?.rotationGraceHours ??
    ROTATION_GRACE_DEFAULT_HOURS
  );
}

export async function listRadiusClients(db: Db): Promise<RadiusClientView[]> {
  return (await db.radiusClient.findMany({ orderBy: { name: "asc" } })).map(toView);
}

export async function createRadiusClient(
  db: Db,
  data: z.output<typeof CreateRadiusClientSchema>,
  actor: Actor,
): Promise<RadiusClientView> {
  return db.$transaction(async (tx) => {
    if (await tx.radiusClient.findUnique({ where: { name: data.name } })) {
      throw conflict(`A RADIUS client named ${data.name} already exists.`);
    }
    const created = await tx.radiusClient.create({
      data: {
        name: data.name,
        address: data.address,
        vendor: data.vendor,
        requireMessageAuthenticator: data.requireMessageAuthenticator,
        certificate: data.certificate,
      },
    });
    const row = data.sharedSecret
      ? await tx.radiusClient.update({
          where: { id: created.id },
          data: {
            secretSealed: seal(data.sharedSecret, SECRET_PURPOSE.radiusClientSecret(created.id)),
            secretUpdatedAt: new Date(),
          },
        })
      : created;
    await recordAudit(tx, actor, {
      action: "radius-client.create",
      target: `radius-client:${row.name}`,
      changes: {
        address: { to: row.address },
        vendor: { to: row.vendor },
        requireMessageAuthenticator: { to: row.requireMessageAuthenticator },
        ...(row.certificate ? { certificate: { to: row.certificate } } : {}),
        ...(data.sharedSecret ? { sharedSecret: "set" } : {}),
      },
    });
    await notifyConfigChanged(tx, "radius-clients");
    return toView(row);
  });
}

export async function updateRadiusClient(
  db: Db,
  id: string,
  patch: z.output<typeof UpdateRadiusClientSchema>,
  actor: Actor,
): Promise<RadiusClientView> {
  return db.$transaction(async (tx) => {
    const before = await tx.radiusClient.findUnique({ where: { id } });
    if (!before) throw notFound("No such RADIUS client.");
    if (
      patch.name &&
      patch.name !== before.name &&
      (await tx.radiusClient.findUnique({ where: { name: patch.name } }))
    ) {
      throw conflict(`A RADIUS client named ${patch.name} already exists.`);
    }
    const { sharedSecret, ...plain } = patch;
    const changes: Record<string, unknown> = diffFields(before, plain, [
      "name",
      "address",
      "vendor",
      "requireMessageAuthenticator",
      "certificate",
    ]);
    let secretFields: Prisma.RadiusClientUpdateInput = {};
    const purpose = SECRET_PURPOSE.radiusClientSecret(id);
    if (sharedSecret === null && before.secretSealed) {
      secretFields = {
        secretSealed: null,
        secretUpdatedAt: new Date(),
        previousSecretSealed: null,
        previousSecretExpiresAt: null,
      };
      changes.sharedSecret = "removed";
    } else if (sharedSecret && (!before.secretSealed || unseal(before.secretSealed, purpose) !== sharedSecret)) {
      const now = new Date();
      const { previousSealed, previousExpiresAt } = rotatedPrevious(
        { sealed: before.secretSealed },
        await graceHours(tx),
        now,
      );
      secretFields = {
        secretSealed: seal(sharedSecret, purpose),
        secretUpdatedAt: now,
        previousSecretSealed: previousSealed,
        previousSecretExpiresAt: previousExpiresAt,
      };
      changes.sharedSecret = before.secretSealed ? "rotated" : "set";
    }
    if (!Object.keys(changes).length) return toView(before);
    const row = await tx.radiusClient.update({ where: { id }, data: { ...plain, ...secretFields } });
    await recordAudit(tx, actor, { action: "radius-client.update", target: `radius-client:${row.name}`, changes });
    await notifyConfigChanged(tx, "radius-clients");
    return toView(row);
  });
}

export async function deleteRadiusClient(db: Db, id: string, actor: Actor): Promise<void> {
  await db.$transaction(async (tx) => {
    const row = await tx.radiusClient.findUnique({ where: { id } });
    if (!row) throw notFound("No such RADIUS client.");
    await tx.radiusClient.delete({ where: { id } });
    await recordAudit(tx, actor, {
      action: "radius-client.delete",
      target: `radius-client:${row.name}`,
      changes: { address: { from: row.address } },
    });
    await notifyConfigChanged(tx, "radius-clients");
  });
}
