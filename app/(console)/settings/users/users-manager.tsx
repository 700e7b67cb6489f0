"use client";

import { useState, type FormEvent } from "react";
import { callApi, type ApiResult } from "@/app/_components/api-client";
import { useApiAction } from "@/app/_components/use-api-action";
import { LocalTime } from "@/app/_components/local-time";

interface UserRow {
  id: string;
  email: string;
  name: string | null;
  role: string;
  disabled: boolean;
  lastLoginAt: string | null;
}
const ROLES = ["admin", "analyst", "viewer"];

export function UsersManager({ users, currentUserId }: { users: UserRow[]; currentUserId: string }) {
  const api = useApiAction();
  const error = api.error;
  const [notice, setNotice] = useState<string | null>(null);

  async function run(request: Promise<ApiResult<unknown>>, form?: HTMLFormElement) {
    setNotice(null);
    const result = await api.run(request, form);
    setNotice(result.ok ? "Saved." : null);
  }

  async function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    await run(
      callApi("POST", "/api/v1/users", {
        email: String(form.get("email") ?? ""),
        role: String(form.get("role") ?? "viewer"),
        password: String(form.get("password") ?? ""),
      }),
      event.currentTarget,
    );
  }

  async function onSetPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    await run(
      callApi("PATCH", `/api/v1/users/${String(form.get("user") ?? "")}`, {
        password: String(form.get("password") ?? ""),
      }),
      event.currentTarget,
    );
  }

  return (
    <div className="space-y-4">
      <div className="card overflow-x-auto">
        <table className="data-table">
          <thead>
            <tr>
              <th>Email</th>
              <th>Role</th>
              <th>Status</th>
              <th>Last sign-in</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} data-testid={`user-row-${u.email}`}>
                <td>
                  {u.email}
                  {u.id === currentUserId && <span className="ml-1 text-xs text-slate-500">(you)</span>}
                </td>
                <td>
                  <label className="sr-only" htmlFor={`role-${u.id}`}>
                    Role of {u.email}
                  </label>
                  <select
                    id={`role-${u.id}`}
                    className="input w-auto"
                    value={u.role}
                    onChange={(e) => run(callApi("PATCH", `/api/v1/users/${u.id}`, { role: e.target.value }))}
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {r}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <button
                    type="button"
                    className={u.disabled ? "btn-secondary" : "btn-danger"}
                    onClick={() => run(callApi("PATCH", `/api/v1/users/${u.id}`, { disabled: !u.disabled }))}
                    aria-label={`${u.disabled ? "Enable" : "Disable"} ${u.email}`}
                  >
                    {u.disabled ? "Disabled — enable" : "Disable"}
                  </button>
                </td>
                <td>
                  <LocalTime iso={u.lastLoginAt} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      {notice && (
        <p role="status" className="text-sm text-green-700">
          {notice}
        </p>
      )}
      <form onSubmit={onCreate} className="card grid grid-cols-1 gap-3 sm:grid-cols-4" aria-label="Create user">
        <h2 className="font-medium sm:col-span-4">Add a user</h2>
        <div>
          <label htmlFor="new-email" className="label">
            Email
          </label>
          <input id="new-email" name="email" type="email" required className="input" />
        </div>
        <div>
          <label htmlFor="new-role" className="label">
            Role
          </label>
          <select id="new-role" name="role" className="input" defaultValue="analyst">
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="new-password" className="label">
            Initial password
          </label>
          <input
            id="new-password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            className="input"
          />
        </div>
        <div className="self-end">
          <button type="submit" className="btn-primary">
            Create user
          </button>
        </div>
      </form>
      <form onSubmit={onSetPassword} className="card grid grid-cols-1 gap-3 sm:grid-cols-4" aria-label="Set a password">
        <h2 className="font-medium sm:col-span-4">Set a user&apos;s password</h2>
        <div>
          <label htmlFor="pw-user" className="label">
            User
          </label>
          <select id="pw-user" name="user" className="input" required defaultValue="">
            <option value="" disabled>
              Choose…
            </option>
            {users.map((u) => (
              <option key={u.id} value={u.id}>
                {u.email}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor="pw-password" className="label">
            New password
          </label>
          <input
            id="pw-password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={12}
            className="input"
          />
        </div>
        <p className="self-end text-xs text-slate-500">
          Ends the user&apos;s sessions: they sign in with this password.
        </p>
        <div className="self-end">
          <button type="submit" className="btn-secondary">
            Set password
          </button>
        </div>
      </form>
    </div>
  );
}
