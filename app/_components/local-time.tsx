"use client";

import { useEffect, useState } from "react";

/** The browser's local time; UTC on hover (and before hydration). */
export function LocalTime({ iso }: { iso: string }) {
  const utc = iso.replace("T", " ").slice(0, 19) + " UTC";
  const [text, setText] = useState(utc);
  useEffect(() => setText(new Date(iso).toLocaleString()), [iso]);
  return (
    <time dateTime={iso} title={utc}>
      {text}
    </time>
  );
}
