"use client";

import { useEffect, useState } from "react";

/** `YYYY-MM-DDTHH:mm` in the browser's time zone, as a datetime-local input shows it. */
function toLocalInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/**
 * A date-time field of a GET form in the browser's local time that submits, under `name`, the
 * instant as ISO 8601 (what the API and the page's query schema take): a bare datetime-local
 * value has no time zone, and the server cannot know the browser's.
 */
export function LocalDateTimeField({ id, name, label, value }: { id: string; name: string; label: string; value: string | undefined }) {
  const [local, setLocal] = useState("");
  useEffect(() => setLocal(value ? toLocalInput(value) : ""), [value]);
  const instant = local ? new Date(local) : null;
  return (
    <div>
      <label htmlFor={id} className="label">{label}</label>
      <input id={id} type="datetime-local" className="input" value={local} onChange={(e) => setLocal(e.target.value)} />
      <input type="hidden" name={name} value={instant && !Number.isNaN(instant.getTime()) ? instant.toISOString() : ""} />
    </div>
  );
}
