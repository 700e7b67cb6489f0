"use client";

import { useBrowserValue } from "./use-hydrated";

// The one date rule of the pages: a time is shown in the viewer's time zone, with the zone named ("Nov 30, 2026,
// 1:44:13 AM GMT+1"); the ISO instant is in the element (dateTime) and on hover in UTC. Before the page hydrates,
// and for a browser that names no zone, it reads in UTC, saying so. Lists give ISO 8601 in their CSV and API.

const FORMAT: Intl.DateTimeFormatOptions = { dateStyle: "medium", timeStyle: "medium" };
const DATE_ONLY: Intl.DateTimeFormatOptions = { dateStyle: "medium" };

function inZone(iso: string, dateOnly: boolean): string {
  const date = new Date(iso);
  const text = date.toLocaleString(undefined, dateOnly ? DATE_ONLY : FORMAT);
  if (dateOnly) return text;
  const zone = new Intl.DateTimeFormat(undefined, { timeZoneName: "short" })
    .formatToParts(date)
    .find((p) => p.type === "timeZoneName")?.value;
  return zone ? `${text} ${zone}` : text;
}

/** A time in the viewer's zone, named; `empty` when there is none. */
export function LocalTime({
  iso: value,
  empty = "—",
  dateOnly = false,
}: {
  iso: string | Date | null | undefined;
  empty?: string;
  dateOnly?: boolean;
}) {
  const iso = value instanceof Date ? value.toISOString() : value;
  const utc = iso ? iso.replace("T", " ").slice(0, dateOnly ? 10 : 19) + (dateOnly ? "" : " UTC") : "";
  const text = useBrowserValue(() => (iso ? inZone(iso, dateOnly) : ""), utc);
  if (!iso) return <>{empty}</>;
  return (
    <time dateTime={iso} title={utc}>
      {text}
    </time>
  );
}

/** The viewer's time zone by name (Europe/Paris), for fields that take a local time. */
export function LocalZoneName() {
  return <>{useBrowserValue(() => Intl.DateTimeFormat().resolvedOptions().timeZone, "UTC")}</>;
}
