"use client";

import { signOut } from "next-auth/react";
import { useBrowserValue } from "./use-hydrated";

// Redirect ourselves (relative), so sign-out works whatever host name the portal is reached by.
// Disabled until hydrated: before that a click would do nothing and leave the user signed in.
export function SignOutButton() {
  const ready = useBrowserValue(() => true, false);
  return (
    <button
      type="button"
      disabled={!ready}
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
