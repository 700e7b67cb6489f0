"use client";

import type { FormEvent } from "react";
import { callApi } from "@/app/_components/api-client";
import { useApiAction } from "@/app/_components/use-api-action";

import { STATUS_LABELS, TRANSITIONS, type AlertStatus } from "@/lib/alerts/status.ts";

export function TriageForm({
  id,
  status,
  assignee,
  assignees,
}: {
  id: string;
  status: AlertStatus;
  assignee: string | null;
  assignees: string[];
}) {
  const { error, run } = useApiAction();
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const comment = String(form.get("comment") ?? "");
    const nextStatus = String(form.get("status") ?? "");
    const nextAssignee = String(form.get("assignee") ?? "");
    await run(
      callApi("PATCH", `/api/v1/alerts/${id}`, {
        ...(nextStatus ? { status: nextStatus } : {}),
        ...(nextAssignee !== (assignee ?? "") ? { assignee: nextAssignee || null } : {}),
        ...(comment ? { comment } : {}),
      }),
      event.currentTarget,
    );
  }
  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3 text-sm" aria-label="Triage">
      <div>
        <label htmlFor="t-status" className="label">
          New status
        </label>
        <select id="t-status" name="status" className="input" defaultValue={TRANSITIONS[status][0]}>
          <option value="">Keep ({STATUS_LABELS[status]})</option>
          {TRANSITIONS[status].map((next) => (
            <option key={next} value={next}>
              {STATUS_LABELS[next]}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="t-assignee" className="label">
          Assignee
        </label>
        <select id="t-assignee" name="assignee" className="input" defaultValue={assignee ?? ""}>
          <option value="">Nobody</option>
          {assignees.map((email) => (
            <option key={email} value={email}>
              {email}
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
