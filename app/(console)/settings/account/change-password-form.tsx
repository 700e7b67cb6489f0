"use client";

import { signOut } from "next-auth/react";
import { useState, type FormEvent } from "react";
import { callApi } from "@/app/_components/api-client";
import { useApiAction } from "@/app/_components/use-api-action";

/** Changing the password ends every session, this one too: the user signs in again with the new one. */
export function ChangePasswordForm() {
  const api = useApiAction();
  const [mismatch, setMismatch] = useState(false);
  const error = mismatch ? "The two new passwords differ." : api.error;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const newPassword = String(form.get("newPassword") ?? "");
    const differ = newPassword !== String(form.get("repeatPassword") ?? "");
    setMismatch(differ);
    if (differ) return;
    const result = await api.run(
      callApi("POST", "/api/v1/account/password", {
        currentPassword: String(form.get("currentPassword") ?? ""),
        newPassword,
      }),
    );
    if (!result.ok) return;
    await signOut({ redirect: false });
    window.location.assign("/signin?passwordChanged=1");
  }

  return (
    <form onSubmit={onSubmit} className="card max-w-md space-y-3" aria-label="Change password">
      <h2 className="text-lg font-semibold">Change password</h2>
      <div>
        <label htmlFor="current-password" className="label">
          Current password
        </label>
        <input
          id="current-password"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          className="input"
        />
      </div>
      <div>
        <label htmlFor="new-password" className="label">
          New password
        </label>
        <input
          id="new-password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          className="input"
        />
      </div>
      <div>
        <label htmlFor="repeat-password" className="label">
          Repeat the new password
        </label>
        <input
          id="repeat-password"
          name="repeatPassword"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          className="input"
        />
      </div>
      <p className="text-xs text-slate-500">
        At least 12 characters. Every session of your account ends, this one too: you then sign in with the new
        password.
      </p>
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
      <button type="submit" className="btn-primary">
        Change password
      </button>
    </form>
  );
}
