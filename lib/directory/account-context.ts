// What the product says about a directory account: its state and whether it is sensitive (one rule each), for the
// profile, the identities API and, later, the detections.
import type { Db } from "../db/prisma.ts";
import type { DirectoryAccount, Prisma } from "../generated/prisma/client.ts";

const ACCOUNTDISABLE = 0x2;

export type AccountState = "enabled" | "disabled" | "locked" | "expired";

export interface AccountFacts {
  userAccountControl: number;
  accountExpires: Date | null;
  lockoutTime: Date | null;
  adminCount: number;
  sensitiveGroups: string[];
  markedSensitive: boolean;
  /** Disabled no later than this (its whenChanged when a sync first saw it disabled). */
  disabledSeenAt: Date | null;
}

/**
 * The account's state at a time: disabled wins over expired over locked. Disabled from disabledSeenAt,
 * expired once accountExpires has passed, locked from lockoutTime. `since` is when that state began, as far as known.
 */
export function accountStateAt(a: AccountFacts, at: Date = new Date()): { state: AccountState; since: Date | null } {
  if (a.userAccountControl & ACCOUNTDISABLE && (!a.disabledSeenAt || a.disabledSeenAt <= at))
    return { state: "disabled", since: a.disabledSeenAt };
  if (a.accountExpires && a.accountExpires <= at) return { state: "expired", since: a.accountExpires };
  if (a.lockoutTime && a.lockoutTime <= at) return { state: "locked", since: a.lockoutTime };
  return { state: "enabled", since: null };
}

export const accountState = (a: AccountFacts, at: Date = new Date()): AccountState => accountStateAt(a, at).state;

/** The ACCOUNTDISABLE bit of userAccountControl. */
export const isDisabled = (userAccountControl: number) => (userAccountControl & ACCOUNTDISABLE) !== 0;

/** Why an account is sensitive (an admin's mark, a privileged group, or adminCount), or null. */
export function sensitiveReason(a: AccountFacts): string | null {
  if (a.markedSensitive) return "marked sensitive by an admin";
  if (a.sensitiveGroups.length) return `member of ${a.sensitiveGroups.join(", ")}`;
  if (a.adminCount > 0) return "adminCount is set (protected by AdminSDHolder)";
  return null;
}

export interface AccountContext {
  inDirectory: boolean;
  displayName: string | null;
  title: string | null;
  department: string | null;
  accountState: AccountState | null;
  sensitive: boolean;
  sensitiveReason: string | null;
}

export const NOT_IN_DIRECTORY: AccountContext = {
  inDirectory: false,
  displayName: null,
  title: null,
  department: null,
  accountState: null,
  sensitive: false,
  sensitiveReason: null,
};

type AccountRow = DirectoryAccount;

/** What the identities list and API carry about an identity's account (null: not in the directory). */
export function contextOf(account: AccountRow | null | undefined, now = new Date()): AccountContext {
  if (!account || account.goneAt) return NOT_IN_DIRECTORY;
  const reason = sensitiveReason(account);
  return {
    inDirectory: true,
    displayName: account.displayName,
    title: account.title,
    department: account.department,
    accountState: accountState(account, now),
    sensitive: reason !== null,
    sensitiveReason: reason,
  };
}

/** The accounts (not gone) whose UPN is one of these identities: one query for a page of identities. */
export async function accountContexts(db: Db, identities: string[]): Promise<Map<string, AccountContext>> {
  if (!identities.length) return new Map();
  const rows = await db.directoryAccount.findMany({ where: { userPrincipalName: { in: identities }, goneAt: null } });
  return new Map(rows.map((r) => [r.userPrincipalName!, contextOf(r)]));
}

/** The same rules (sensitiveReason, accountState) as SQL over a "DirectoryAccount" row named d: the lists' filters. */
export const ACCOUNT_SQL = {
  sensitive: `(cardinality(d."sensitiveGroups") > 0 OR d."adminCount" > 0 OR d."markedSensitive")`,
  disabledOrExpired: `((d."userAccountControl" & ${ACCOUNTDISABLE}) <> 0 OR d."accountExpires" <= now())`,
};

export interface ProfileAccount {
  userPrincipalName: string | null;
  /** NETBIOS\sAMAccountName (or the bare name when the domain's NetBIOS name is unknown). */
  samAccountName: string;
  /** mail and smtp proxy addresses other than the UPN. */
  alternateUpns: string[];
  company: string | null;
  manager: { dn: string; displayName: string | null; identity: string | null } | null;
  pwdLastSet: string | null;
  passwordExpired: boolean;
  whenCreated: string | null;
  /** Set when the account left the directory (deleted or out of scope): its VPN history stays. */
  goneAt: string | null;
}

/** The account behind an identity for its profile: the live one, else the last one that left the directory. */
export async function profileAccount(
  db: Db,
  identity: string,
  now = new Date(),
): Promise<{ context: AccountContext; account: ProfileAccount | null }> {
  const account = await db.directoryAccount.findFirst({
    where: { userPrincipalName: identity },
    orderBy: [{ goneAt: { sort: "desc", nulls: "first" } }],
  });
  if (!account) return { context: NOT_IN_DIRECTORY, account: null };
  const manager = account.managerDn
    ? await db.directoryAccount.findFirst({ where: { dn: { equals: account.managerDn, mode: "insensitive" } } })
    : null;
  const managerIdentity =
    manager?.userPrincipalName &&
    (await db.identity.findUnique({ where: { identity: manager.userPrincipalName }, select: { identity: true } }));
  const upn = account.userPrincipalName;
  return {
    context: contextOf(account, now),
    account: {
      userPrincipalName: upn,
      samAccountName: account.netbiosDomain
        ? `${account.netbiosDomain}\\${account.samAccountName}`
        : account.samAccountName,
      alternateUpns: [...new Set([account.mail, ...account.proxyAddresses])].filter(
        (n): n is string => Boolean(n) && n !== upn,
      ),
      company: account.company,
      manager: account.managerDn
        ? {
            dn: account.managerDn,
            displayName: manager?.displayName ?? null,
            identity: managerIdentity ? managerIdentity.identity : null,
          }
        : null,
      pwdLastSet: account.pwdLastSet?.toISOString() ?? null,
      passwordExpired: account.passwordExpiresAt !== null && account.passwordExpiresAt <= now,
      whenCreated: account.whenCreated?.toISOString() ?? null,
      goneAt: account.goneAt?.toISOString() ?? null,
    },
  };
}

/**
 * Sets markedSensitive on exactly the accounts the admin's list names (by UPN, sAMAccountName or
 * NETBIOS\sAMAccountName, case-insensitive): when the list is saved and after each sync (new accounts).
 */
export async function markSensitiveAccounts(tx: Prisma.TransactionClient, names: string[]): Promise<void> {
  const lower = names.map((n) => n.toLowerCase());
  await tx.$executeRaw`
    UPDATE "DirectoryAccount" SET "markedSensitive" = marked
      FROM (SELECT "objectGuid" AS guid,
                   (lower("userPrincipalName") = ANY(${lower}::text[])
                    OR lower("samAccountName") = ANY(${lower}::text[])
                    OR lower("netbiosDomain" || '\\' || "samAccountName") = ANY(${lower}::text[])) IS TRUE AS marked
              FROM "DirectoryAccount") m
     WHERE "objectGuid" = m.guid AND "markedSensitive" <> m.marked`;
}
