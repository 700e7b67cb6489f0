"use client";

import { useEffect, useState } from "react";

/**
 * What a page shows when its server part failed. Production hides the error's message, so the
 * page asks the health check whether the database is the cause, the failure users can act on.
 */
export function ServerProblem({ error, retry }: { error: Error & { digest?: string }; retry: () => void }) {
  const [database, setDatabase] = useState<"checking" | "reachable" | "unreachable">("checking");
  useEffect(() => {
    fetch("/api/healthz", { cache: "no-store" })
      .then((res) => setDatabase(res.status === 503 ? "unreachable" : "reachable"))
      .catch(() => setDatabase("reachable"));
  }, [error]);
  return (
    <div role="alert" className="card mx-auto max-w-2xl space-y-3">
      <h1 className="text-xl font-semibold">This page could not load</h1>
      {database === "unreachable" ? (
        <>
          <p className="text-sm">VPN Sight cannot reach its PostgreSQL database.</p>
          <p className="text-sm text-slate-600">
            Check that PostgreSQL is running and reachable at the address in <code>DATABASE_URL</code>; without{" "}
            <code>DATABASE_URL</code>, <code>npm start</code> runs an embedded server, and restarting VPN Sight starts
            it again. Meanwhile the sensor keeps acknowledging accounting into its spool on disk and writes it to the
            database once it is back.
          </p>
        </>
      ) : database === "reachable" ? (
        <p className="text-sm text-slate-600">
          A server error occurred{error.digest ? ` (reference ${error.digest}, also in the portal&apos;s log)` : ""}.
          Try again; if it persists, the portal&apos;s log has the details.
        </p>
      ) : (
        <p className="text-sm text-slate-600">Checking the database…</p>
      )}
      <button type="button" className="btn-primary" onClick={() => retry()}>
        Try again
      </button>
    </div>
  );
}
