"use client";

import { useBrowserValue } from "./use-hydrated";

/** The browser's local time; UTC on hover (and before hydration). */
export function LocalTime({ iso }: { iso: string }) {
  const utc = iso.replace("T", " ").slice(0, 19) + " UTC";
  const text = useBrowserValue(() => new Date(iso).toLocaleString(), utc);
  return (
    <time dateTime={iso} title={utc}>
      {text}
    </time>
  );
}
