// Reads the directory's user accounts into DirectoryAccount: paged, all read first, then applied in one transaction (a
// failure half-way changes nothing). A full sweep compares every account and marks the ones no longer found as gone
// (never deleted: their VPN history stays); an incremental sync reads only what changed since the last one
// (uSNChanged, and deleted objects). In the same transaction, past activity moves to the account's identity.
import { Control, type Client, type Entry } from "ldapts";
import { z } from "zod";
import type { Db } from "../db/prisma.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { SETTINGS_ROW_ID } from "../db/settings-row.ts";
import { notifyConfigChanged } from "../config/notify.ts";
import { reattribute } from "../identities/reattribute.ts";
import { UNKNOWN_IDENTITY, directoryIndex, identityMappings, resolveIdentity } from "../identities/resolve-identity.ts";
import { isDisabled, markSensitiveAccounts } from "./account-context.ts";
import {
  bindDirectory,
  describeLdapError,
  escapeFilterValue,
  readDomain,
  userFilter,
  type DomainInfo,
} from "./connection.ts";
import { LastSyncSchema, directoryConnection, type DirectoryConnection, type LastSync } from "./settings.ts";

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
  "whenChanged",
];
/** AD returns at most 1,000 entries a page. */
const PAGE_SIZE = 1000;

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
  passwordExpiresAt: Date | null;
  whenCreated: Date | null;
  adminCount: number;
  sensitiveGroups: string[];
  markedSensitive: boolean;
  disabledSeenAt: Date | null;
}

/** DONT_EXPIRE_PASSWORD in userAccountControl. */
const DONT_EXPIRE_PASSWORD = 0x10000;

/** The domain's maximum password age in ms (maxPwdAge is negative 100 ns units); null: passwords never expire. */
async function maxPasswordAgeMs(client: Client, namingContext: string): Promise<number | null> {
  const { searchEntries } = await client.search(namingContext, { scope: "base", attributes: ["maxPwdAge"] });
  const raw = one(searchEntries[0]?.maxPwdAge);
  if (!raw || !/^-?\d+$/.test(raw)) return null;
  const ms = -Number(BigInt(raw) / 10_000n);
  return ms > 0 && ms < 1e13 ? ms : null; // 0 or "never" (the most negative value)
}

/** When the password expires: pwdLastSet + the maximum age; "must change at next logon" (0) has expired already. */
function passwordExpiry(entry: Entry, uac: number, maxAgeMs: number | null): Date | null {
  if (uac & DONT_EXPIRE_PASSWORD || maxAgeMs === null) return null;
  if (one(entry.pwdLastSet) === "0") return new Date(0);
  const set = fileTime(entry.pwdLastSet);
  return set ? new Date(set.getTime() + maxAgeMs) : null;
}

function toAccount(entry: Entry, netbios: string | null, maxAgeMs: number | null): AccountRecord | null {
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
    passwordExpiresAt: passwordExpiry(entry, Number(one(entry.userAccountControl) ?? 0), maxAgeMs),
    whenCreated: generalizedTime(entry.whenCreated),
    adminCount: Number(one(entry.adminCount) ?? 0),
    sensitiveGroups: [],
    markedSensitive: false,
    // Disabled no later than its last change (AD records no time for the disable itself).
    disabledSeenAt: isDisabled(Number(one(entry.userAccountControl) ?? 0)) ? generalizedTime(entry.whenChanged) : null,
  };
}

/** A group's member DNs, all of them: AD hands out at most 1,500 values a read (ranged retrieval, member;range=0-1499). */
async function membersOf(client: Client, dn: string): Promise<{ members: string[] } | null> {
  const members: string[] = [];
  let attribute = "member";
  for (;;) {
    const { searchEntries } = await client.search(dn, { scope: "base", attributes: [attribute] });
    const entry = searchEntries[0];
    if (!entry) return null;
    const ranged = Object.keys(entry).find((k) => /^member;range=/i.test(k));
    members.push(...many(entry[ranged ?? "member"]));
    const end = ranged ? /;range=\d+-(\*|\d+)$/i.exec(ranged)?.[1] : "*";
    if (!end || end === "*") return { members };
    attribute = `member;range=${Number(end) + 1}-*`;
  }
}

/** Which of these DNs are groups (lowercase): one indexed search per 100. */
async function groupsAmong(client: Client, base: string, dns: string[]): Promise<Set<string>> {
  const groups = new Set<string>();
  for (let i = 0; i < dns.length; i += 100) {
    const any = dns
      .slice(i, i + 100)
      .map((dn) => `(distinguishedName=${escapeFilterValue(dn)})`)
      .join("");
    const { searchEntries } = await client.search(base, {
      filter: `(&(objectClass=group)(|${any}))`,
      attributes: ["1.1"],
    });
    for (const e of searchEntries) groups.add(e.dn.toLowerCase());
  }
  return groups;
}

/**
 * Members (nested) of each sensitive group that exists: member DN (lowercase) → group names. Walks each group's
 * member values itself, one base read per group: LDAP_MATCHING_RULE_IN_CHAIN, or memberOf searches, scan every
 * account on Samba (7 s for 17 groups over 20,000 users). A member that is not a group is returned whatever it is;
 * the caller keeps the accounts it knows.
 */
async function sensitiveMembers(client: Client, conn: DirectoryConnection, domain: DomainInfo) {
  const byDn = new Map<string, Set<string>>();
  const names = [...new Set([...SENSITIVE_GROUPS, ...conn.extraSensitiveGroups])];
  const { searchEntries: roots } = await client.search(domain.namingContext, {
    filter: `(&(objectClass=group)(|${names.map((n) => `(sAMAccountName=${escapeFilterValue(n)})(cn=${escapeFilterValue(n)})`).join("")}))`,
    attributes: ["sAMAccountName", "cn"],
  });
  const lower = new Map(names.map((n) => [n.toLowerCase(), n]));
  for (const root of roots) {
    const name = lower.get(String(root.sAMAccountName).toLowerCase()) ?? lower.get(String(root.cn).toLowerCase());
    if (!name) continue;
    const visited = new Set<string>();
    const queue = [root.dn];
    while (queue.length) {
      const dn = queue.shift()!;
      if (visited.has(dn.toLowerCase())) continue; // groups may nest in a cycle
      visited.add(dn.toLowerCase());
      const members = (await membersOf(client, dn))?.members ?? [];
      // Members that are groups are walked; the rest (users, computers, foreign principals) are recorded.
      const groups = await groupsAmong(client, domain.namingContext, members);
      for (const member of members) {
        const key = member.toLowerCase();
        if (groups.has(key)) queue.push(member);
        else byDn.set(key, (byDn.get(key) ?? new Set()).add(name));
      }
    }
  }
  return byDn;
}

/** LDAP_SERVER_SHOW_DELETED_OID: deleted objects (tombstones) are returned, with their objectGUID. */
const SHOW_DELETED = "1.2.840.113556.1.4.417";
/** At least this often a sync is a full sweep: accounts moved out of scope are only found by one. */
const FULL_SWEEP_MS = 24 * 3_600_000;

const SyncCursorSchema = z.object({ server: z.string(), usn: z.string(), scope: z.string(), fullAt: z.string() });
type SyncCursor = z.infer<typeof SyncCursorSchema>;

export type SyncMode = "full" | "incremental";

interface DirectoryRead {
  full: boolean;
  /** Every account in scope (full), or those changed since the cursor. */
  accounts: AccountRecord[];
  /** Incremental: objectGUIDs deleted since the cursor (when the bind account may see them). */
  deleted: string[];
  /** The forest's UPN suffixes (alternate UPNs: sAMAccountName@suffix). */
  upnSuffixes: string[];
  /** Sensitive groups' members (DN, lowercase) → group names: membership does not change the member's uSNChanged. */
  sensitive: Map<string, Set<string>>;
  cursor: SyncCursor;
}

/** Reads the accounts (nothing is written): changes since `cursor` when it is usable, else every one. */
async function readDirectory(
  conn: DirectoryConnection,
  cursor: SyncCursor | null,
  opts: { mode?: SyncMode; pageSize: number; now: Date },
): Promise<DirectoryRead> {
  const client = await bindDirectory(conn);
  try {
    const domain = await readDomain(client);
    const maxAgeMs = await maxPasswordAgeMs(client, domain.namingContext);
    const scope = JSON.stringify([conn.baseDn, userFilter(conn)]);
    const incremental =
      opts.mode !== "full" &&
      cursor !== null &&
      /^\d+$/.test(cursor.usn) &&
      cursor.server === domain.server &&
      cursor.scope === scope &&
      opts.now.getTime() - Date.parse(cursor.fullAt) < FULL_SWEEP_MS;
    const since = incremental ? `(uSNChanged>=${BigInt(cursor.usn) + 1n})` : "";
    const { searchEntries } = await client.search(conn.baseDn, {
      filter: since ? `(&${userFilter(conn)}${since})` : userFilter(conn),
      attributes: ATTRIBUTES,
      explicitBufferAttributes: ["objectGUID"],
      paged: { pageSize: opts.pageSize },
    });
    // Deleted accounts, when the bind account may read the Deleted Objects container (as Defender for Identity's
    // directory account must). Otherwise, and for accounts moved out of scope, the next full sweep marks them gone.
    const deleted: string[] = [];
    if (incremental) {
      const tombstones = await client
        .search(
          domain.namingContext,
          {
            filter: `(&(isDeleted=TRUE)(objectClass=user)${since})`,
            attributes: ["objectGUID"],
            explicitBufferAttributes: ["objectGUID"],
            paged: { pageSize: opts.pageSize },
          },
          new Control(SHOW_DELETED, { critical: true }),
        )
        .catch(() => ({ searchEntries: [] }));
      for (const e of tombstones.searchEntries) if (Buffer.isBuffer(e.objectGUID)) deleted.push(guidOf(e.objectGUID));
    }
    const sensitive = await sensitiveMembers(client, conn, domain);
    return {
      full: !incremental,
      accounts: searchEntries
        .map((e) => toAccount(e, domain.netbios, maxAgeMs))
        .filter((a): a is AccountRecord => a !== null),
      deleted,
      upnSuffixes: domain.upnSuffixes,
      sensitive,
      // Read before the accounts: a change made while reading is read again next time, never missed.
      cursor: {
        server: domain.server,
        usn: domain.highestUsn,
        scope,
        fullAt: incremental ? cursor.fullAt : opts.now.toISOString(),
      },
    };
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

const groupsOf = (read: DirectoryRead, dn: string) => [...(read.sensitive.get(dn.toLowerCase()) ?? [])].sort();

const sameGroups = (a: string[], b: string[]) => a.length === b.length && a.every((g, i) => g === b[i]);

/**
 * Moves past sessions, timeline rows and alerts to the identity the sensor now resolves them to (the same rule:
 * resolveIdentity with the directory's names), and a renamed account's history to its new UPN. Names seen by the
 * sensor before it loaded the new names move at the next sync.
 */
async function moveToAccounts(
  tx: Prisma.TransactionClient,
  renames: Map<string, string>,
  upnSuffixes: string[],
): Promise<number> {
  const accounts = await tx.directoryAccount.findMany({
    where: { goneAt: null },
    select: { userPrincipalName: true, samAccountName: true, netbiosDomain: true, mail: true, proxyAddresses: true },
  });
  const mappings = identityMappings(
    await tx.domainMapping.findMany(),
    await tx.identityAlias.findMany(),
    directoryIndex(accounts, upnSuffixes),
  );
  const moves = new Map<string, string>();
  for (const { identity } of await tx.identity.findMany({ select: { identity: true } })) {
    if (identity === UNKNOWN_IDENTITY) continue;
    const target = renames.get(identity) ?? resolveIdentity(identity, mappings);
    if (target !== identity) moves.set(identity, target);
  }
  return reattribute(tx, moves);
}

type AccountRow = AccountRecord & { goneAt: null; syncedAt: Date };
const WRITE_CHUNK = 5000;

/** Inserts or updates accounts: a statement per 5,000 (one upsert each took 3 ms: 60 s for 20,000). */
async function writeAccounts(tx: Prisma.TransactionClient, rows: AccountRow[]): Promise<void> {
  if (!rows.length) return;
  const columns = Object.keys(rows[0]!).filter((c) => c !== "objectGuid");
  const quoted = columns.map((c) => `"${c}"`).join(", ");
  for (let i = 0; i < rows.length; i += WRITE_CHUNK)
    await tx.$executeRawUnsafe(
      `INSERT INTO "DirectoryAccount" ("objectGuid", ${quoted})
       SELECT "objectGuid", ${quoted} FROM json_populate_recordset(NULL::"DirectoryAccount", $1::json)
       ON CONFLICT ("objectGuid") DO UPDATE SET (${quoted}) = (${columns.map((c) => `EXCLUDED."${c}"`).join(", ")})`,
      JSON.stringify(rows.slice(i, i + WRITE_CHUNK)),
    );
}

/** Applies what was read, in the caller's transaction: the counts of the outcome. */
async function applyRead(tx: Prisma.TransactionClient, read: DirectoryRead, sensitiveAccounts: string[], at: Date) {
  // One sync applies at a time (the portal's Sync now and the detector's schedule may overlap).
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('vpnsight.directory-sync'))`;
  const existing = new Map((await tx.directoryAccount.findMany()).map((row) => [row.objectGuid, row]));
  const seen = new Set<string>();
  const renames = new Map<string, string>();
  let added = 0;
  let changed = 0;
  const writes: AccountRow[] = [];
  for (const read_ of read.accounts) {
    const before = existing.get(read_.objectGuid);
    const account = {
      ...read_,
      sensitiveGroups: groupsOf(read, read_.dn),
      markedSensitive: before?.markedSensitive ?? false,
      // Kept while it stays disabled: set by the sync that first sees it disabled.
      disabledSeenAt: isDisabled(read_.userAccountControl)
        ? (before?.disabledSeenAt ?? read_.disabledSeenAt ?? at)
        : null,
    };
    seen.add(account.objectGuid);
    if (
      before?.userPrincipalName &&
      account.userPrincipalName &&
      before.userPrincipalName !== account.userPrincipalName
    )
      renames.set(before.userPrincipalName, account.userPrincipalName);
    if (!before) added += 1;
    else {
      const { goneAt, syncedAt: _s, ...fields } = before;
      if (!goneAt && comparable(fields) === comparable(account)) continue;
      changed += 1;
    }
    writes.push({ ...account, goneAt: null, syncedAt: at });
  }
  await writeAccounts(tx, writes);
  // Not read this time: gone when a full sweep missed it or it was deleted; else only its privileged groups may differ.
  const gone: string[] = [];
  const deleted = new Set(read.deleted);
  for (const [guid, row] of existing) {
    if (seen.has(guid) || row.goneAt) continue;
    if (read.full || deleted.has(guid)) gone.push(guid);
    else {
      const groups = groupsOf(read, row.dn);
      if (sameGroups(groups, row.sensitiveGroups)) continue;
      await tx.directoryAccount.update({
        where: { objectGuid: guid },
        data: { sensitiveGroups: groups, syncedAt: at },
      });
      changed += 1;
    }
  }
  if (gone.length) await tx.directoryAccount.updateMany({ where: { objectGuid: { in: gone } }, data: { goneAt: at } });
  await markSensitiveAccounts(tx, sensitiveAccounts);
  await tx.directorySettings.updateMany({ where: { id: SETTINGS_ROW_ID }, data: { upnSuffixes: read.upnSuffixes } });
  const moved = await moveToAccounts(tx, renames, read.upnSuffixes);
  return { added, changed, removed: gone.length, moved };
}

/**
 * One sync: `full`, `incremental`, or (left out) incremental when the last cursor is usable — the same DC, scope
 * unchanged, a full sweep within FULL_SWEEP_MS — else full. Records the outcome as the last sync, also when it failed:
 * the accounts read before stay in use.
 */
export async function syncDirectory(
  db: Db,
  opts: { mode?: SyncMode; pageSize?: number; now?: () => Date } = {},
): Promise<LastSync> {
  const now = opts.now ?? (() => new Date());
  const started = now();
  let outcome: LastSync;
  let cursor: SyncCursor | null = null;
  try {
    const conn = await directoryConnection(db);
    if (!conn.enabled) throw new Error("the directory is turned off (Settings › Identities › Directory)");
    const row = await db.directorySettings.findUnique({ where: { id: SETTINGS_ROW_ID }, select: { syncCursor: true } });
    const stored = SyncCursorSchema.safeParse(row?.syncCursor);
    const read = await readDirectory(conn, stored.success ? stored.data : null, {
      mode: opts.mode,
      pageSize: opts.pageSize ?? PAGE_SIZE,
      now: started,
    });
    const counts = await db.$transaction((tx) => applyRead(tx, read, conn.sensitiveAccounts, now()), {
      timeout: 600_000,
    });
    cursor = read.cursor;
    outcome = {
      at: started.toISOString(),
      durationMs: now().getTime() - started.getTime(),
      ...counts,
      full: read.full,
      error: null,
    };
  } catch (err) {
    outcome = {
      at: started.toISOString(),
      durationMs: now().getTime() - started.getTime(),
      added: 0,
      changed: 0,
      removed: 0,
      moved: 0,
      full: opts.mode !== "incremental",
      error: describeLdapError(err).message,
    };
  }
  const lastSync = LastSyncSchema.parse(outcome);
  // The new outcome is the version the sensors compare: they read the accounts' names again (sensor/config.ts).
  await db.$transaction(async (tx) => {
    await tx.directorySettings.updateMany({
      where: { id: SETTINGS_ROW_ID },
      data: { lastSync, ...(cursor ? { syncCursor: cursor } : {}) },
    });
    await notifyConfigChanged(tx, "directory");
  });
  return lastSync;
}
