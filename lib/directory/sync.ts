// Reads the directory's user accounts into DirectoryAccount: paged, all at once, then applied in one transaction (a
// failure half-way changes nothing). Accounts no longer found are marked gone, never deleted: their VPN history stays.
import type { Client, Entry } from "ldapts";
import type { Db } from "../db/prisma.ts";
import { SETTINGS_ROW_ID } from "../db/settings-row.ts";
import { notifyConfigChanged } from "../config/notify.ts";
import { bindDirectory, describeLdapError, escapeFilterValue, readDomain, userFilter } from "./connection.ts";
import { LastSyncSchema, directoryConnection, type LastSync } from "./settings.ts";

/** Microsoft Defender for Identity's default sensitive groups: a member (directly or nested) is a sensitive account. */
export const SENSITIVE_GROUPS = [
  "Administrators",
  "Power Users",
  "Account Operators",
  "Server Operators",
  "Print Operators",
  "Backup Operators",
  "Replicator",
  "Network Configuration Operators",
  "Incoming Forest Trust Builders",
  "Domain Admins",
  "Domain Controllers",
  "Group Policy Creator Owners",
  "Read-only Domain Controllers",
  "Enterprise Read-only Domain Controllers",
  "Schema Admins",
  "Enterprise Admins",
  "Microsoft Exchange Servers",
] as const;

const ATTRIBUTES = [
  "objectGUID",
  "distinguishedName",
  "userPrincipalName",
  "sAMAccountName",
  "mail",
  "proxyAddresses",
  "displayName",
  "givenName",
  "sn",
  "title",
  "department",
  "company",
  "manager",
  "userAccountControl",
  "accountExpires",
  "lockoutTime",
  "pwdLastSet",
  "whenCreated",
  "adminCount",
];
/** AD returns at most 1,000 entries a page. */
const PAGE_SIZE = 1000;
/** LDAP_MATCHING_RULE_IN_CHAIN: membership through nested groups. */
const IN_CHAIN = "1.2.840.113556.1.4.1941";

/** objectGUID bytes as the usual string (the first three fields are little-endian). */
export function guidOf(bytes: Buffer): string {
  const hex = (indexes: number[]) => indexes.map((i) => bytes[i]!.toString(16).padStart(2, "0")).join("");
  return `${hex([3, 2, 1, 0])}-${hex([5, 4])}-${hex([7, 6])}-${hex([8, 9])}-${hex([10, 11, 12, 13, 14, 15])}`;
}

/** A Windows FILETIME (100 ns since 1601) as a date; 0 and "never" (the largest value) are null. */
export function fileTime(value: unknown): Date | null {
  const text = one(value);
  if (!text || text === "0" || text === "9223372036854775807") return null;
  const ms = Number(BigInt(text) / 10_000n) - 11_644_473_600_000;
  return Number.isFinite(ms) ? new Date(ms) : null;
}

/** An LDAP GeneralizedTime (20261129203000.0Z) as a date. */
function generalizedTime(value: unknown): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(one(value) ?? "");
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : null;
}

function one(value: unknown): string | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v === null) return null;
  const text = Buffer.isBuffer(v) ? v.toString("utf8") : String(v);
  return text === "" ? null : text;
}
const many = (value: unknown): string[] => (Array.isArray(value) ? value : value == null ? [] : [value]).map(String);

export interface AccountRecord {
  objectGuid: string;
  dn: string;
  userPrincipalName: string | null;
  samAccountName: string;
  netbiosDomain: string | null;
  mail: string | null;
  proxyAddresses: string[];
  displayName: string | null;
  givenName: string | null;
  surname: string | null;
  title: string | null;
  department: string | null;
  company: string | null;
  managerDn: string | null;
  userAccountControl: number;
  accountExpires: Date | null;
  lockoutTime: Date | null;
  pwdLastSet: Date | null;
  whenCreated: Date | null;
  adminCount: number;
  sensitiveGroups: string[];
}

function toAccount(entry: Entry, netbios: string | null): AccountRecord | null {
  const guid = entry.objectGUID;
  const sam = one(entry.sAMAccountName);
  if (!Buffer.isBuffer(guid) || !sam) return null;
  return {
    objectGuid: guidOf(guid),
    dn: entry.dn,
    userPrincipalName: one(entry.userPrincipalName)?.toLowerCase() ?? null,
    samAccountName: sam,
    netbiosDomain: netbios,
    mail: one(entry.mail)?.toLowerCase() ?? null,
    proxyAddresses: many(entry.proxyAddresses)
      .filter((p) => /^smtp:/i.test(p))
      .map((p) => p.slice(5).toLowerCase()),
    displayName: one(entry.displayName),
    givenName: one(entry.givenName),
    surname: one(entry.sn),
    title: one(entry.title),
    department: one(entry.department),
    company: one(entry.company),
    managerDn: one(entry.manager),
    userAccountControl: Number(one(entry.userAccountControl) ?? 0),
    accountExpires: fileTime(entry.accountExpires),
    lockoutTime: fileTime(entry.lockoutTime),
    pwdLastSet: fileTime(entry.pwdLastSet),
    whenCreated: generalizedTime(entry.whenCreated),
    adminCount: Number(one(entry.adminCount) ?? 0),
    sensitiveGroups: [],
  };
}

/** Members (nested) of each sensitive group that exists: objectGUID → group names. */
async function sensitiveMembers(client: Client, baseDn: string, namingContext: string, pageSize: number) {
  const byGuid = new Map<string, string[]>();
  for (const name of SENSITIVE_GROUPS) {
    const { searchEntries: groups } = await client.search(namingContext, {
      filter: `(&(objectClass=group)(sAMAccountName=${escapeFilterValue(name)}))`,
      attributes: ["distinguishedName"],
    });
    for (const group of groups) {
      const { searchEntries } = await client.search(baseDn, {
        filter: `(&(objectCategory=person)(objectClass=user)(memberOf:${IN_CHAIN}:=${escapeFilterValue(group.dn)}))`,
        attributes: ["objectGUID"],
        paged: { pageSize },
      });
      for (const e of searchEntries) {
        if (!Buffer.isBuffer(e.objectGUID)) continue;
        const guid = guidOf(e.objectGUID);
        byGuid.set(guid, [...(byGuid.get(guid) ?? []), name]);
      }
    }
  }
  return byGuid;
}

/** Reads every account in scope (nothing is written). */
export async function readAccounts(db: Db, opts: { pageSize?: number } = {}): Promise<AccountRecord[]> {
  const conn = await directoryConnection(db);
  const pageSize = opts.pageSize ?? PAGE_SIZE;
  const client = await bindDirectory(conn);
  try {
    const domain = await readDomain(client);
    const { searchEntries } = await client.search(conn.baseDn, {
      filter: userFilter(conn),
      attributes: ATTRIBUTES,
      explicitBufferAttributes: ["objectGUID"],
      paged: { pageSize },
    });
    const sensitive = await sensitiveMembers(client, conn.baseDn, domain.namingContext, pageSize);
    return searchEntries
      .map((e) => toAccount(e, domain.netbios))
      .filter((a): a is AccountRecord => a !== null)
      .map((a) => ({ ...a, sensitiveGroups: (sensitive.get(a.objectGuid) ?? []).sort() }));
  } finally {
    await client.unbind().catch(() => {});
  }
}

const comparable = (a: Partial<AccountRecord>) =>
  JSON.stringify(
    Object.fromEntries(
      Object.keys(a)
        .sort()
        .map((k) => [
          k,
          (a as Record<string, unknown>)[k] instanceof Date
            ? (a as Record<string, Date>)[k]!.toISOString()
            : (a as Record<string, unknown>)[k],
        ]),
    ),
  );

/**
 * One sync: reads the directory, then in one transaction adds new accounts, updates changed ones, marks the ones
 * no longer found as gone (and brings back one that returns). Records the outcome as the last sync, also when it
 * failed: the accounts read before stay in use.
 */
export async function syncDirectory(db: Db, opts: { pageSize?: number; now?: () => Date } = {}): Promise<LastSync> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  let outcome: LastSync;
  try {
    const accounts = await readAccounts(db, opts);
    const counts = await db.$transaction(async (tx) => {
      const existing = new Map(
        (await tx.directoryAccount.findMany()).map((row) => {
          const { goneAt, syncedAt: _s, ...fields } = row;
          return [row.objectGuid, { goneAt, fields }];
        }),
      );
      let added = 0;
      let changed = 0;
      const syncedAt = now();
      for (const account of accounts) {
        const before = existing.get(account.objectGuid);
        existing.delete(account.objectGuid);
        if (!before) added += 1;
        else if (before.goneAt || comparable(before.fields) !== comparable(account)) changed += 1;
        else continue;
        await tx.directoryAccount.upsert({
          where: { objectGuid: account.objectGuid },
          create: { ...account, syncedAt },
          update: { ...account, goneAt: null, syncedAt },
        });
      }
      const gone = [...existing.entries()].filter(([, v]) => !v.goneAt).map(([guid]) => guid);
      if (gone.length)
        await tx.directoryAccount.updateMany({ where: { objectGuid: { in: gone } }, data: { goneAt: syncedAt } });
      return { added, changed, removed: gone.length };
    });
    outcome = { at: started.toISOString(), durationMs: now().getTime() - started.getTime(), ...counts, error: null };
  } catch (err) {
    outcome = {
      at: started.toISOString(),
      durationMs: now().getTime() - started.getTime(),
      added: 0,
      changed: 0,
      removed: 0,
      error: describeLdapError(err).message,
    };
  }
  const lastSync = LastSyncSchema.parse(outcome);
  // The new outcome is the version the sensors compare: they read the accounts' names again (sensor/config.ts).
  await db.$transaction(async (tx) => {
    await tx.directorySettings.updateMany({ where: { id: SETTINGS_ROW_ID }, data: { lastSync } });
    await notifyConfigChanged(tx, "directory");
  });
  return lastSync;
}
