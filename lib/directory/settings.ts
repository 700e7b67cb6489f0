// The Active Directory connection (Settings › Identities › Directory, /api/v1/directory). The bind password is
// write-only: sealed at rest, never returned, logged or audited.
import { z } from "zod";
import type { Db } from "../db/prisma.ts";
import { SETTINGS_ROW_ID } from "../db/settings-row.ts";
import { recordAudit, type Actor } from "../audit/record.ts";
import { validationError } from "../errors.ts";
import { parseCertificateBundle } from "../radius/certificates.ts";
import { SECRET_PURPOSE, seal, unseal } from "../secrets/seal.ts";
import { markSensitiveAccounts } from "./account-context.ts";

const LdapUrlSchema = z
  .string()
  .trim()
  .max(500)
  .refine(
    (s) => /^ldaps?:\/\/[^\s/?#]+(:\d{1,5})?\/?$/i.test(s),
    "A directory URL is ldaps://host[:port] or ldap://host[:port].",
  )
  .describe("ldaps://dc1.contoso.test, or ldap:// with startTls");

export const DirectorySettingsUpdateSchema = z
  .object({
    enabled: z.boolean(),
    urls: z.array(LdapUrlSchema).max(10).describe("Tried in order"),
    startTls: z.boolean().default(false).describe("StartTLS on an ldap:// URL"),
    bindUser: z.string().trim().max(500).describe("UPN (svc-vpnsight@contoso.test) or DN"),
    bindPassword: z
      .string()
      .min(1, "Enter the bind password.")
      .max(256)
      .optional()
      .describe("Write-only: never returned. Leave out to keep the stored one."),
    baseDn: z.string().trim().max(1000).describe("DC=contoso,DC=test"),
    userFilter: z.string().trim().max(1000).nullable().default(null).describe("An extra LDAP filter for users"),
    caCertificate: z
      .string()
      .max(256 * 1024)
      .nullable()
      .default(null)
      .describe("PEM of the CA(s) to trust; null: the system's CAs"),
    skipTlsVerify: z
      .boolean()
      .default(false)
      .describe("Turns certificate verification off (audited). Not for production."),
    syncIntervalMinutes: z.number().int().min(5).max(1440).default(15),
    extraSensitiveGroups: z
      .array(z.string().trim().min(1).max(256))
      .max(100)
      .optional()
      .describe("Groups whose members (nested) are sensitive too, by name. Leave out to keep the stored list."),
    sensitiveAccounts: z
      .array(z.string().trim().toLowerCase().min(1).max(320))
      .max(1000)
      .optional()
      .describe("Accounts marked sensitive: UPN, sAMAccountName or NETBIOS\\sAMAccountName. Leave out to keep."),
  })
  .strict();
export type DirectorySettingsUpdate = z.output<typeof DirectorySettingsUpdateSchema>;

/** What the last sync did (stored as JSON: this schema where it is written and read). */
export const LastSyncSchema = z.object({
  at: z.string(),
  durationMs: z.number(),
  added: z.number(),
  changed: z.number(),
  removed: z.number(),
  error: z.string().nullable(),
  /** A full sweep (every account compared, the missing ones marked gone), or changes since the last one. */
  full: z.boolean().default(true),
  /** Identities whose history moved to an account's identity (a name the directory now resolves, a renamed UPN). */
  moved: z.number().default(0),
});
export type LastSync = z.infer<typeof LastSyncSchema>;

export interface DirectorySettingsView {
  enabled: boolean;
  urls: string[];
  startTls: boolean;
  bindUser: string;
  passwordConfigured: boolean;
  baseDn: string;
  userFilter: string | null;
  caCertificate: string | null;
  skipTlsVerify: boolean;
  syncIntervalMinutes: number;
  extraSensitiveGroups: string[];
  sensitiveAccounts: string[];
  lastSync: LastSync | null;
}

/** The connection as the sync and the test use it: with the password opened. */
export interface DirectoryConnection extends Omit<DirectorySettingsView, "passwordConfigured" | "lastSync"> {
  bindPassword: string | null;
}

type Row = NonNullable<Awaited<ReturnType<Db["directorySettings"]["findUnique"]>>>;

function toView(row: Row | null): DirectorySettingsView {
  const lastSync = LastSyncSchema.safeParse(row?.lastSync);
  return {
    enabled: row?.enabled ?? false,
    urls: row?.urls ?? [],
    startTls: row?.startTls ?? false,
    bindUser: row?.bindUser ?? "",
    passwordConfigured: Boolean(row?.bindPasswordSealed),
    baseDn: row?.baseDn ?? "",
    userFilter: row?.userFilter ?? null,
    caCertificate: row?.caCertificate ?? null,
    skipTlsVerify: row?.skipTlsVerify ?? false,
    syncIntervalMinutes: row?.syncIntervalMinutes ?? 15,
    extraSensitiveGroups: row?.extraSensitiveGroups ?? [],
    sensitiveAccounts: row?.sensitiveAccounts ?? [],
    lastSync: lastSync.success ? lastSync.data : null,
  };
}

export async function getDirectorySettings(db: Db): Promise<DirectorySettingsView> {
  return toView(await db.directorySettings.findUnique({ where: { id: SETTINGS_ROW_ID } }));
}

export async function directoryConnection(db: Db): Promise<DirectoryConnection> {
  const row = await db.directorySettings.findUnique({ where: { id: SETTINGS_ROW_ID } });
  const { passwordConfigured: _p, lastSync: _l, ...view } = toView(row);
  const sealed = row?.bindPasswordSealed;
  return { ...view, bindPassword: sealed ? unseal(sealed, SECRET_PURPOSE.directoryBindPassword) : null };
}

const AUDITED = [
  "enabled",
  "urls",
  "startTls",
  "bindUser",
  "baseDn",
  "userFilter",
  "skipTlsVerify",
  "syncIntervalMinutes",
  "extraSensitiveGroups",
  "sensitiveAccounts",
] as const;

export async function updateDirectorySettings(
  db: Db,
  input: DirectorySettingsUpdate,
  actor: Actor,
): Promise<DirectorySettingsView> {
  const caCertificate = input.caCertificate?.trim() ? input.caCertificate.trim() + "\n" : null;
  if (caCertificate) {
    const parsed = parseCertificateBundle(caCertificate);
    if (!parsed.ok) throw validationError(parsed.message, [{ path: ["caCertificate"], message: parsed.message }]);
  }
  if (input.startTls && input.urls.some((u) => u.toLowerCase().startsWith("ldaps://")))
    throw validationError("StartTLS is for ldap:// URLs; an ldaps:// URL is TLS already.");
  return db.$transaction(async (tx) => {
    const before = await tx.directorySettings.findUnique({ where: { id: SETTINGS_ROW_ID } });
    if (input.enabled) {
      const missing = [
        input.urls.length ? null : "a directory URL",
        input.bindUser ? null : "a bind user",
        input.bindPassword || before?.bindPasswordSealed ? null : "the bind password",
        input.baseDn ? null : "a base DN",
      ].filter(Boolean);
      if (missing.length) throw validationError(`To enable the directory, enter ${missing.join(", ")}.`);
    }
    const data = {
      enabled: input.enabled,
      urls: input.urls,
      startTls: input.startTls,
      bindUser: input.bindUser,
      baseDn: input.baseDn,
      userFilter: input.userFilter || null,
      caCertificate,
      skipTlsVerify: input.skipTlsVerify,
      syncIntervalMinutes: input.syncIntervalMinutes,
      extraSensitiveGroups: input.extraSensitiveGroups ?? before?.extraSensitiveGroups ?? [],
      sensitiveAccounts: [...new Set(input.sensitiveAccounts ?? before?.sensitiveAccounts ?? [])],
      ...(input.bindPassword
        ? { bindPasswordSealed: seal(input.bindPassword, SECRET_PURPOSE.directoryBindPassword) }
        : {}),
    };
    const row = await tx.directorySettings.upsert({
      where: { id: SETTINGS_ROW_ID },
      create: { id: SETTINGS_ROW_ID, ...data },
      update: data,
    });
    // Field names and values that are not secrets; the password only as "changed".
    const changes: Record<string, unknown> = {};
    for (const field of AUDITED) {
      const was = before?.[field] ?? null;
      if (JSON.stringify(was) !== JSON.stringify(data[field])) changes[field] = { from: was, to: data[field] };
    }
    if ((before?.caCertificate ?? null) !== caCertificate) changes.caCertificate = caCertificate ? "set" : "removed";
    if (input.bindPassword) changes.bindPassword = before?.bindPasswordSealed ? "changed" : "set";
    if (changes.sensitiveAccounts) await markSensitiveAccounts(tx, data.sensitiveAccounts);
    await recordAudit(tx, actor, { action: "directory.update", target: "directory", changes });
    return toView(row);
  });
}
