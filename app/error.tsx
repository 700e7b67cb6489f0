"use client";

import { ServerProblem } from "./_components/server-problem";

// Catches what the console's own boundary cannot: a failure in its layout (e.g. reading the signed-in user).
export default function RootError(props: { error: Error & { digest?: string }; retry: () => void }) {
  return (
    <main className="p-6">
      <ServerProblem {...props} />
    </main>
  );
}
