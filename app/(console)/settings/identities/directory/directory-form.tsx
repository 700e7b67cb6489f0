"use client";

import { useState, type FormEvent } from "react";
import { callApi } from "@/app/_components/api-client";
import { LocalTime } from "@/app/_components/local-time";
import { useApiAction } from "@/app/_components/use-api-action";
import type { DirectorySettingsView } from "@/lib/directory/settings";
import type { TestStep } from "@/lib/directory/connection";

const STEP_LABELS: Record<TestStep["name"], string> = {
  connect: "Connect (TLS)",
  bind: "Bind",
  domain: "Domain",
  users: "Users",
};

const lines = (value: FormDataEntryValue | null) =>
  String(value ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);

/** Settings › Identities › Directory: the connection, saved and tested. */
export function DirectoryForm({ view, canManage }: { view: DirectorySettingsView; canManage: boolean }) {
  const { error, run } = useApiAction();
  const [saved, setSaved] = useState(false);
  const [test, setTest] = useState<{ ok: boolean; steps: TestStep[] } | null>(null);
  const [testError, setTestError] = useState<string | null>(null);

  async function onSave(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get("bindPassword") ?? "");
    const ca = String(form.get("caCertificate") ?? "").trim();
    const result = await run(
      callApi("PUT", "/api/v1/directory", {
        enabled: form.get("enabled") === "on",
        urls: String(form.get("urls") ?? "")
          .split(/[\s,]+/)
          .filter(Boolean),
        startTls: form.get("startTls") === "on",
        bindUser: String(form.get("bindUser") ?? ""),
        ...(password ? { bindPassword: password } : {}),
        baseDn: String(form.get("baseDn") ?? ""),
        userFilter: String(form.get("userFilter") ?? "").trim() || null,
        caCertificate: ca || null,
        skipTlsVerify: form.get("skipTlsVerify") === "on",
        syncIntervalMinutes: Number(form.get("syncIntervalMinutes") ?? 15),
        extraSensitiveGroups: lines(form.get("extraSensitiveGroups")),
        sensitiveAccounts: lines(form.get("sensitiveAccounts")),
      }),
    );
    setSaved(result.ok);
  }

  async function onSync() {
    await run(callApi("POST", "/api/v1/directory/sync"));
  }

  async function onTest() {
    setTest(null);
    const result = await callApi<{ ok: boolean; steps: TestStep[] }>("POST", "/api/v1/directory/test");
    if (result.ok) {
      setTest(result.data);
      setTestError(null);
    } else setTestError(result.message);
  }

  const disabled = !canManage;
  return (
    <div className="space-y-4">
      <form onSubmit={onSave} className="card max-w-2xl space-y-3" aria-label="Directory connection">
        <label className="flex items-center gap-2">
          <input type="checkbox" name="enabled" defaultChecked={view.enabled} disabled={disabled} /> Read accounts from
          Active Directory
        </label>
        <div>
          <label htmlFor="d-urls" className="label">
            Directory URLs (tried in order)
          </label>
          <input
            id="d-urls"
            name="urls"
            className="input w-full"
            defaultValue={view.urls.join(" ")}
            disabled={disabled}
            placeholder="ldaps://dc1.contoso.test ldaps://dc2.contoso.test"
          />
        </div>
        <label className="flex items-center gap-2">
          <input type="checkbox" name="startTls" defaultChecked={view.startTls} disabled={disabled} /> StartTLS (for
          ldap:// URLs)
        </label>
        <div>
          <label htmlFor="d-user" className="label">
            Bind user
          </label>
          <input
            id="d-user"
            name="bindUser"
            className="input w-full"
            defaultValue={view.bindUser}
            disabled={disabled}
            placeholder="svc-vpnsight@contoso.test"
          />
        </div>
        <div>
          <label htmlFor="d-password" className="label">
            Bind password
          </label>
          <input
            id="d-password"
            name="bindPassword"
            type="password"
            autoComplete="new-password"
            className="input w-full"
            disabled={disabled}
            placeholder={view.passwordConfigured ? "configured (leave empty to keep)" : ""}
          />
        </div>
        <div>
          <label htmlFor="d-base" className="label">
            Base DN
          </label>
          <input
            id="d-base"
            name="baseDn"
            className="input w-full"
            defaultValue={view.baseDn}
            disabled={disabled}
            placeholder="DC=contoso,DC=test"
          />
        </div>
        <div>
          <label htmlFor="d-filter" className="label">
            Extra user filter (optional)
          </label>
          <input
            id="d-filter"
            name="userFilter"
            className="input w-full"
            defaultValue={view.userFilter ?? ""}
            disabled={disabled}
          />
        </div>
        <div>
          <label htmlFor="d-ca" className="label">
            CA certificate (PEM; empty: the system&apos;s CAs)
          </label>
          <textarea
            id="d-ca"
            name="caCertificate"
            rows={4}
            className="input w-full font-mono text-xs"
            defaultValue={view.caCertificate ?? ""}
            disabled={disabled}
          />
        </div>
        <label className="flex items-center gap-2 text-amber-800">
          <input type="checkbox" name="skipTlsVerify" defaultChecked={view.skipTlsVerify} disabled={disabled} /> Do not
          verify the directory&apos;s certificate (insecure; audited)
        </label>
        <div>
          <label htmlFor="d-interval" className="label">
            Sync every (minutes)
          </label>
          <input
            id="d-interval"
            name="syncIntervalMinutes"
            type="number"
            min={5}
            max={1440}
            className="input w-28"
            defaultValue={view.syncIntervalMinutes}
            disabled={disabled}
          />
          <p className="mt-1 text-xs text-slate-500">
            Each sync reads what changed; at least daily, and on Sync now, every account is read again. Deleted accounts
            show at once when the bind user may read the Deleted Objects container, else at the next full sync.
          </p>
        </div>
        <div>
          <label htmlFor="d-groups" className="label">
            More sensitive groups (one per line)
          </label>
          <textarea
            id="d-groups"
            name="extraSensitiveGroups"
            rows={2}
            className="input w-full font-mono text-xs"
            defaultValue={view.extraSensitiveGroups.join("\n")}
            disabled={disabled}
          />
          <p className="mt-1 text-xs text-slate-500">
            Besides Defender for Identity&apos;s default ones (Domain Admins, Enterprise Admins, …); nested members
            count. Applied at the next sync.
          </p>
        </div>
        <div>
          <label htmlFor="d-accounts" className="label">
            Sensitive accounts (one per line: UPN, sAMAccountName or DOMAIN\user)
          </label>
          <textarea
            id="d-accounts"
            name="sensitiveAccounts"
            rows={2}
            className="input w-full font-mono text-xs"
            defaultValue={view.sensitiveAccounts.join("\n")}
            disabled={disabled}
          />
        </div>
        {error && (
          <p role="alert" className="text-sm text-red-700">
            {error}
          </p>
        )}
        {saved && !error && <p className="text-sm text-green-700">Saved.</p>}
        {canManage && (
          <div className="flex gap-2">
            <button type="submit" className="btn-primary">
              Save
            </button>
            <button type="button" className="btn border border-slate-300" onClick={onTest}>
              Test connection
            </button>
            <button type="button" className="btn border border-slate-300" onClick={onSync}>
              Sync now
            </button>
          </div>
        )}
      </form>
      {testError && (
        <p role="alert" className="text-sm text-red-700">
          {testError}
        </p>
      )}
      {test && (
        <section className="card max-w-2xl" aria-label="Connection test">
          <h2 className="mb-2 font-semibold">{test.ok ? "Connection works" : "Connection failed"}</h2>
          <ul className="space-y-1 text-sm">
            {test.steps.map((s) => (
              <li key={s.name} className={s.ok ? "text-green-800" : "text-red-700"}>
                {s.ok ? "✓" : "✗"} {STEP_LABELS[s.name]}: {s.message}
              </li>
            ))}
          </ul>
        </section>
      )}
      {view.lastSync && (
        <p className="text-sm text-slate-600" data-testid="last-sync">
          Last sync <LocalTime iso={view.lastSync.at} /> ({(view.lastSync.durationMs / 1000).toFixed(1)} s):{" "}
          {view.lastSync.error
            ? `failed — ${view.lastSync.error}; the accounts read before stay in use`
            : `${view.lastSync.added} added, ${view.lastSync.changed} changed, ${view.lastSync.removed} removed` +
              (view.lastSync.moved ? `; the history of ${view.lastSync.moved} names moved to their accounts` : "") +
              (view.lastSync.full ? " (every account read)" : " (changes only)")}
          .
        </p>
      )}
    </div>
  );
}
