"use client";

import { useState, type FormEvent } from "react";
import { callApi } from "@/app/_components/api-client";
import { useApiAction } from "@/app/_components/use-api-action";

export function SilentThresholdForm({ minutes }: { minutes: number }) {
  const { error, run } = useApiAction();
  const [value, setValue] = useState(String(minutes));
  const [saved, setSaved] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const result = await run(callApi("PUT", "/api/v1/settings/health", { silentClientMinutes: Number(value) }));
    setSaved(result.ok);
  }

  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-2 text-sm" noValidate>
      <div>
        <label htmlFor="silent-minutes" className="label">
          A RADIUS client is silent after (minutes)
        </label>
        <input
          id="silent-minutes"
          type="number"
          min={5}
          max={43200}
          className="input w-32"
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
      </div>
      <button type="submit" className="btn-primary">
        Save
      </button>
      {error && (
        <p role="alert" className="w-full text-red-700">
          {error}
        </p>
      )}
      {saved && <p className="w-full text-green-700">Saved.</p>}
    </form>
  );
}
