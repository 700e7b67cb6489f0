"use client";

import type { FormEvent } from "react";
import { callApi } from "@/app/_components/api-client";
import { useApiAction } from "@/app/_components/use-api-action";

import { STATUS_LABELS, TRANSITIONS, type AlertStatus } from "@/lib/alerts/status.ts";

export function TriageForm({ id, status }: { id: string; status: AlertStatus }) {
  const { error, run } = useApiAction();
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const comment = String(form.get("comment") ?? "");
    await run(
      callApi("PATCH", `/api/v1/alerts/${id}`, { status: String(form.get("status")), ...(comment ? { comment } : {}) }),
      event.currentTarget,
    );
  }
  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3 text-sm" aria-label="Triage">
      <div>
        <label htmlFor="t-status" className="label">
          New status
        </label>
        <select id="t-status" name="status" className="input">
          {TRANSITIONS[status].map((next) => (
            <option key={next} value={next}>
              {STATUS_LABELS[next]}
            </option>
          ))}
        </select>
      </div>
      <div className="min-w-64 flex-1">
        <label htmlFor="t-comment" className="label">
          Comment
        </label>
        <input id="t-comment" name="comment" className="input" maxLength={2000} />
      </div>
      <button type="submit" className="btn-primary">
        Update
      </button>
      {error && (
        <p role="alert" className="w-full text-red-700">
          {error}
        </p>
      )}
    </form>
  );
}
