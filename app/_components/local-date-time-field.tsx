"use client";

import { useEffect, useRef } from "react";
import { LocalZoneName } from "./local-time";

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
 *
 * The input is uncontrolled and the instant is computed when the form is submitted (the form's
 * `formdata` event), so a value typed before the page hydrated is neither reset nor lost.
 */
export function LocalDateTimeField({
  id,
  name,
  label,
  value,
}: {
  id: string;
  name: string;
  label: string;
  value: string | undefined;
}) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const input = ref.current;
    const form = input?.form;
    if (!input || !form) return;
    if (value && input.value === "") input.value = toLocalInput(value);
    const onFormData = (event: FormDataEvent) => {
      const instant = input.value ? new Date(input.value) : null;
      event.formData.set(name, instant && !Number.isNaN(instant.getTime()) ? instant.toISOString() : "");
    };
    form.addEventListener("formdata", onFormData);
    return () => form.removeEventListener("formdata", onFormData);
  }, [name, value]);
  return (
    <div>
      <label htmlFor={id} className="label">
        {label}{" "}
        <span className="font-normal text-slate-500">
          (<LocalZoneName />)
        </span>
      </label>
      <input ref={ref} id={id} type="datetime-local" className="input" defaultValue="" />
    </div>
  );
}
