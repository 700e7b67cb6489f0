"use client";

import { signOut } from "next-auth/react";

export function SignOutButton() {
  return (
    <button type="button" className="btn border border-slate-600 text-slate-100 hover:bg-slate-800" onClick={() => signOut({ callbackUrl: "/signin" })}>
      Sign out
    </button>
  );
}
