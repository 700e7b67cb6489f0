"use client";

import Link from "next/link";
import type { FormEvent } from "react";
import { callApi } from "@/app/_components/api-client";
import { useApiAction } from "@/app/_components/use-api-action";
import { LocalTime, LocalZoneName } from "@/app/_components/local-time";

interface ExclusionRow {
  id: string;
  description: string;
  reason: string;
  expiresAt: string | null;
  active: boolean;
  fromAlertId?: string | null;
  createdBy?: string;
  createdAt?: string;
  suppressed?: number;
  lastSuppressedAt?: string | null;
}

const field = (form: FormData, name: string) => String(form.get(name) ?? "").trim() || undefined;

export function ExclusionsManager({
  items,
  canWrite,
  rules,
}: {
  items: ExclusionRow[];
  canWrite: boolean;
  rules: (readonly [string, string])[];
}) {
  const { error, run } = useApiAction();

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const expires = field(form, "expiresAt");
    await run(
      callApi("POST", "/api/v1/exclusions", {
        rule: field(form, "rule") ?? null,
        identity: field(form, "identity"),
        ipBlock: field(form, "ipBlock"),
        countryCode: field(form, "countryCode"),
        nas: field(form, "nas"),
        reason: String(form.get("reason") ?? ""),
        // The date picker gives a local date: the exclusion ends at the end of that day, where the user is.
        expiresAt: expires ? new Date(`${expires}T23:59:59`).toISOString() : null,
      }),
      event.currentTarget,
    );
  }

  async function onDelete(row: ExclusionRow) {
    if (!window.confirm(`Remove the exclusion “${row.description}”?`)) return;
    await run(callApi("DELETE", `/api/v1/exclusions/${row.id}`));
  }

  return (
    <div className="space-y-4">
      {items.length === 0 ? (
        <p className="text-sm text-slate-600">No exclusions: every finding becomes an alert.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="data-table" aria-label="Exclusions">
            <thead>
              <tr>
                <th>Excludes</th>
                <th>Reason</th>
                <th>Held back</th>
                <th className="max-sm:hidden">Expires</th>
                <th className="max-md:hidden">Created</th>
                {canWrite && <th />}
              </tr>
            </thead>
            <tbody>
              {items.map((x) => (
                <tr key={x.id} className={x.active ? "" : "text-slate-400"}>
                  <td>
                    {x.description}
                    {!x.active && " (expired)"}
                  </td>
                  <td>{x.reason}</td>
                  <td>
                    {x.suppressed ?? 0}
                    {x.lastSuppressedAt ? (
                      <span className="block text-xs text-slate-500">
                        last <LocalTime iso={x.lastSuppressedAt} />
                      </span>
                    ) : null}
                  </td>
                  <td className="max-sm:hidden">{x.expiresAt ? <LocalTime iso={x.expiresAt} /> : "never"}</td>
                  <td className="max-md:hidden">
                    {x.createdAt ? <LocalTime iso={x.createdAt} /> : null}
                    <span className="block text-xs text-slate-500">
                      {x.createdBy}
                      {x.fromAlertId ? (
                        <>
                          {" · from "}
                          <Link href={`/alerts/${x.fromAlertId}`} className="text-sky-700 hover:underline">
                            alert #{x.fromAlertId}
                          </Link>
                        </>
                      ) : null}
                    </span>
                  </td>
                  {canWrite && (
                    <td>
                      <button type="button" className="text-red-700 hover:underline" onClick={() => onDelete(x)}>
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canWrite ? (
        <form onSubmit={onCreate} className="grid gap-3 text-sm sm:grid-cols-3" aria-label="Add exclusion">
          <div>
            <label htmlFor="e-rule" className="label">
              Rule
            </label>
            <select id="e-rule" name="rule" className="input" defaultValue="">
              <option value="">Every rule</option>
              {rules.map(([id, title]) => (
                <option key={id} value={id}>
                  {title}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="e-identity" className="label">
              Identity
            </label>
            <input id="e-identity" name="identity" className="input" placeholder="alice@contoso.com" />
          </div>
          <div>
            <label htmlFor="e-ip" className="label">
              Public IP or CIDR
            </label>
            <input id="e-ip" name="ipBlock" className="input" placeholder="203.0.113.0/24" />
          </div>
          <div>
            <label htmlFor="e-country" className="label">
              Country code
            </label>
            <input id="e-country" name="countryCode" className="input" placeholder="GB" maxLength={2} />
          </div>
          <div>
            <label htmlFor="e-nas" className="label">
              NAS
            </label>
            <input id="e-nas" name="nas" className="input" placeholder="10.0.0.1 or vpn-gw-1" />
          </div>
          <div>
            <label htmlFor="e-expires" className="label">
              Expires (optional; the end of that day, <LocalZoneName />)
            </label>
            <input id="e-expires" name="expiresAt" type="date" className="input" />
          </div>
          <div className="sm:col-span-2">
            <label htmlFor="e-reason" className="label">
              Reason
            </label>
            <input id="e-reason" name="reason" className="input" maxLength={500} required />
          </div>
          <div className="flex items-end">
            <button type="submit" className="btn-primary">
              Add exclusion
            </button>
          </div>
          {error && (
            <p role="alert" className="text-red-700 sm:col-span-3">
              {error}
            </p>
          )}
        </form>
      ) : (
        <p className="text-sm text-slate-500">Read-only: analysts and admins manage exclusions.</p>
      )}
    </div>
  );
}
