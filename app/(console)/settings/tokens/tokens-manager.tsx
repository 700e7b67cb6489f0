"use client";

import { useState, type FormEvent } from "react";
import { callApi } from "@/app/_components/api-client";
import { useApiAction } from "@/app/_components/use-api-action";
import { formatDateTime } from "@/app/_components/format";

interface TokenRow {
  id: string;
  name: string;
  role: string;
  prefix: string;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function TokensManager({ tokens }: { tokens: TokenRow[] }) {
  const { error, run } = useApiAction();
  const [created, setCreated] = useState<string | null>(null);

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await run(
      callApi<{ token: string }>("POST", "/api/v1/tokens", { name: String(form.get("name") ?? ""), role: String(form.get("role") ?? "viewer") }),
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
          <code className="mt-1 block select-all break-all font-mono" data-testid="created-token">{created}</code>
        </div>
      )}
      <div className="card overflow-x-auto">
        {tokens.length === 0 ? (
          <p className="text-sm text-slate-600">No API tokens.</p>
        ) : (
          <table className="data-table">
            <thead>
              <tr><th>Name</th><th>Role</th><th>Prefix</th><th>Created</th><th>Last used</th><th>Status</th></tr>
            </thead>
            <tbody>
              {tokens.map((t) => (
                <tr key={t.id}>
                  <td>{t.name}</td>
                  <td>{t.role}</td>
                  <td className="font-mono">{t.prefix}…</td>
                  <td>{formatDateTime(t.createdAt)} by {t.createdBy}</td>
                  <td>{formatDateTime(t.lastUsedAt)}</td>
                  <td>
                    {t.revokedAt ? (
                      `revoked ${formatDateTime(t.revokedAt)}`
                    ) : (
                      <button type="button" className="btn-danger" onClick={() => onRevoke(t)}>Revoke</button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {error && <p role="alert" className="text-sm text-red-700">{error}</p>}
      <form onSubmit={onCreate} className="card grid grid-cols-1 gap-3 sm:grid-cols-3" aria-label="Create API token">
        <div>
          <label htmlFor="token-name" className="label">Name</label>
          <input id="token-name" name="name" required className="input" />
        </div>
        <div>
          <label htmlFor="token-role" className="label">Role</label>
          <select id="token-role" name="role" className="input" defaultValue="viewer">
            <option value="admin">admin</option>
            <option value="analyst">analyst</option>
            <option value="viewer">viewer</option>
          </select>
        </div>
        <div className="self-end">
          <button type="submit" className="btn-primary">Create token</button>
        </div>
      </form>
    </div>
  );
}
