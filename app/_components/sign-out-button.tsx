"use client";

import { signOut } from "next-auth/react";

// Redirect ourselves (relative), so sign-out works whatever host name the portal is reached by.
export function SignOutButton() {
  return (
    <button
      type="button"
      className="btn border border-slate-600 text-slate-100 hover:bg-slate-800"
      onClick={async () => {
        await signOut({ redirect: false });
        window.location.assign("/signin");
      }}
    >
      Sign out
    </button>
  );
}
