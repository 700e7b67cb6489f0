"use client";

import { useState, type FormEvent } from "react";
import { callApi } from "@/app/_components/api-client";
import { useApiAction } from "@/app/_components/use-api-action";
import { LocalTime } from "@/app/_components/local-time";

interface TokenRow {
  id: string;
  name: string;
  role: string;
  prefix: string;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  expiresAt: string | null;
  owner: string | null;
}

const EXPIRY_OPTIONS = [
  ["30", "30 days"],
  ["90", "90 days"],
  ["365", "365 days"],
  ["none", "never"],
] as const;

export function TokensManager({ tokens }: { tokens: TokenRow[] }) {
  const { error, run } = useApiAction();
  const [created, setCreated] = useState<string | null>(null);
  // When the list was rendered: a token past its expiry then shows as expired (a reload re-reads the time).
  const [now] = useState(Date.now);

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await run(
      callApi<{ token: string }>("POST", "/api/v1/tokens", {
        name: String(form.get("name") ?? ""),
        role: String(form.get("role") ?? "viewer"),
        expiresInDays: form.get("expires") === "none" ? null : Number(form.get("expires") ?? 90),
      }),
      event.currentTarget,
    );
    if (result.ok) setCreated(result.data.token);
  }

  async function onRevoke(token: TokenRow) {
    if (!window.confirm(`Revoke the token ${token.name}?`)) return;
    await run(callApi("DELETE", `/api/v1/tokens/${token.id}`));
  }

  return (
    <div className="space-y-4">
      {created && (
        <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm" role="status">
          <p className="font-medium">Copy this token now; it will not be shown again:</p>
          <code className="mt-1 block select-all break-all font-mono" data-testid="created-token">
            {created}
          </code>
        </div>
      )}
      <div className="card overflow-x-auto">
        {tokens.length === 0 ? (
          <p className="text-sm text-slate-600">No API tokens.</p>
        ) : (
          <table className="data-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Role</th>
                <th>Owner</th>
                <th>Prefix</th>
                <th>Created</th>
                <th>Expires</th>
                <th>Last used</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>{t.role}</td>
                  <td data-testid="token-owner">{t.owner ?? "none (does not work)"}</td>
                  <td className="font-mono">{t.prefix}…</td>
                  <td>
                    <LocalTime iso={t.createdAt} /> by {t.createdBy}
                  </td>
                  <td data-testid="token-expires">{t.expiresAt ? <LocalTime iso={t.expiresAt} /> : "never"}</td>
                  <td>{t.lastUsedAt ? <LocalTime iso={t.lastUsedAt} /> : "never"}</td>
                  <td>
                    {t.revokedAt ? (
                      <>
                        revoked <LocalTime iso={t.revokedAt} />
                      </>
                    ) : t.expiresAt && Date.parse(t.expiresAt) <= now ? (
                      "expired"
                    ) : (
                      <button type="button" className="btn-danger" onClick={() => onRevoke(t)}>
                        Revoke
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      <form onSubmit={onCreate} className="card grid grid-cols-1 gap-3 sm:grid-cols-4" aria-label="Create API token">
        <div>
          <label htmlFor="token-name" className="label">
            Name
          </label>
          <input id="token-name" name="name" required className="input" />
        </div>
        <div>
          <label htmlFor="token-role" className="label">
            Role
          </label>
          <select id="token-role" name="role" className="input" defaultValue="viewer">
            <option value="admin">admin</option>
            <option value="analyst">analyst</option>
            <option value="viewer">viewer</option>
          </select>
        </div>
        <div>
          <label htmlFor="token-expires" className="label">
            Expires after
          </label>
          <select id="token-expires" name="expires" className="input" defaultValue="90">
            {EXPIRY_OPTIONS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div className="self-end">
          <button type="submit" className="btn-primary">
            Create token
          </button>
        </div>
      </form>
    </div>
  );
}
