"use client";

import { ServerProblem } from "../_components/server-problem";

// A page of the console failed on the server: its header and navigation stay usable.
export default function ConsoleError(props: { error: Error & { digest?: string }; retry: () => void }) {
  return <ServerProblem {...props} />;
}
