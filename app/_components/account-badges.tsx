import type { AccountContext } from "@/lib/directory/account-context.ts";

/** Sensitive, a state other than enabled, or "not in directory": the same words on the list and the profile. */
export function AccountBadges({ account }: { account: AccountContext }) {
  return (
    <span className="ml-2 inline-flex flex-wrap gap-1 align-middle">
      {account.sensitive && (
        <span
          className="rounded bg-red-100 px-1.5 text-xs font-semibold text-red-800"
          title={account.sensitiveReason ?? undefined}
          data-testid="sensitive-badge"
        >
          Sensitive
        </span>
      )}
      {account.accountState && account.accountState !== "enabled" && (
        <span className="rounded bg-amber-100 px-1.5 text-xs text-amber-900">{account.accountState}</span>
      )}
      {!account.inDirectory && (
        <span className="rounded bg-slate-100 px-1.5 text-xs text-slate-600">not in directory</span>
      )}
    </span>
  );
}
