// What the product says about a directory account: its state and whether it is sensitive (one rule each), for the
// profile, the identities API and, later, the detections.
import type { Db } from "../db/prisma.ts";
import type { Prisma } from "../generated/prisma/client.ts";

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

/** The same rule as sensitiveReason, as SQL over "DirectoryAccount" (list filters). */
export const SENSITIVE_SQL = `(cardinality("sensitiveGroups") > 0 OR "adminCount" > 0 OR "markedSensitive")`;

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

/** The account whose UPN is this identity (an account that left the directory no longer counts). */
export async function accountContext(db: Db, identity: string): Promise<AccountContext> {
  const account = await db.directoryAccount.findFirst({ where: { userPrincipalName: identity, goneAt: null } });
  if (!account) return NOT_IN_DIRECTORY;
  const reason = sensitiveReason(account);
  return {
    inDirectory: true,
    displayName: account.displayName,
    title: account.title,
    department: account.department,
    accountState: accountState(account),
    sensitive: reason !== null,
    sensitiveReason: reason,
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
