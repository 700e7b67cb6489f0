"use client";

import { signOut } from "next-auth/react";
import { callApi } from "@/app/_components/api-client";
import { useApiAction } from "@/app/_components/use-api-action";

/** Ends every session of this user on the server (other browsers, a stolen cookie), then this one. */
export function SignOutEverywhere({ idleMinutes, maxHours }: { idleMinutes: number; maxHours: number }) {
  const { error, run } = useApiAction();
  async function onClick() {
    if (!window.confirm("Sign out of every browser where you are signed in, this one included?")) return;
    const result = await run(callApi("DELETE", "/api/v1/account/sessions"));
    if (result.ok) await signOut({ callbackUrl: "/signin" });
  }
  return (
    <section className="card space-y-2" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading" className="text-lg font-semibold">
        Sessions
      </h2>
      <p className="text-sm text-slate-600">
        A session ends on sign-out, after {idleMinutes} minutes without activity, and {maxHours} hours after sign-in at
        the latest.
      </p>
      <button type="button" className="btn-secondary" onClick={onClick}>
        Sign out everywhere
      </button>
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
    </section>
  );
}
