"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { callApi } from "@/app/_components/api-client";
import { useApiAction } from "@/app/_components/use-api-action";
import { LocalTime } from "@/app/_components/local-time";
import { RowDetails } from "@/app/_components/row-details";
import { ALERT_STATUSES, STATUS_LABELS } from "@/lib/alerts/status.ts";

export interface AlertRowView {
  id: string;
  title: string;
  /** The other rules of the incident, by title. */
  alsoTitles: string[];
  severity: string;
  status: keyof typeof STATUS_LABELS;
  identity: string;
  assignee: string | null;
  occurredAt: string;
  summary: string;
  occurrences: number;
}

const SEVERITY_CLASS: Record<string, string> = {
  critical: "font-bold text-red-800",
  high: "font-semibold text-red-700",
  medium: "text-amber-700",
  low: "text-slate-600",
};

/** The alerts list; analysts and admins select rows and set their status or assignee in one action. */
export function AlertsTable({
  items,
  canTriage,
  assignees,
}: {
  items: AlertRowView[];
  canTriage: boolean;
  assignees: string[];
}) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [outcome, setOutcome] = useState<string | null>(null);
  const { error, run } = useApiAction();
  const allSelected = items.length > 0 && items.every((a) => selected.has(a.id));
  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  async function onBulk(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const status = String(form.get("status") ?? "");
    const assignee = String(form.get("assignee") ?? "");
    const comment = String(form.get("comment") ?? "");
    const result = await run(
      callApi<{ updated: string[]; skipped: { id: string; reason: string }[] }>("PATCH", "/api/v1/alerts", {
        ids: [...selected],
        ...(status ? { status } : {}),
        ...(assignee ? { assignee: assignee === "none" ? null : assignee } : {}),
        ...(comment ? { comment } : {}),
      }),
      event.currentTarget,
    );
    if (result.ok) {
      const { updated, skipped } = result.data;
      setOutcome(
        `Updated ${updated.length} alert${updated.length === 1 ? "" : "s"}.` +
          (skipped.length ? ` Not changed: ${skipped.map((s) => `#${s.id} (${s.reason})`).join("; ")}` : ""),
      );
      setSelected(new Set());
    } else setOutcome(null);
  }

  return (
    <div className="space-y-3">
      {canTriage && (
        <form
          onSubmit={onBulk}
          aria-label="Bulk triage"
          className="flex flex-wrap items-end gap-3 rounded border border-slate-200 bg-slate-50 p-3 text-sm"
        >
          <p className="self-center font-medium" data-testid="selected-count">
            {selected.size} selected
          </p>
          <div>
            <label htmlFor="b-status" className="label">
              Set status
            </label>
            <select id="b-status" name="status" className="input" defaultValue="">
              <option value="">Keep</option>
              {ALERT_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {STATUS_LABELS[s]}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="b-assignee" className="label">
              Assign to
            </label>
            <select id="b-assignee" name="assignee" className="input" defaultValue="">
              <option value="">Keep</option>
              <option value="none">Nobody</option>
              {assignees.map((email) => (
                <option key={email} value={email}>
                  {email}
                </option>
              ))}
            </select>
          </div>
          <div className="min-w-48 flex-1">
            <label htmlFor="b-comment" className="label">
              Comment (on each)
            </label>
            <input id="b-comment" name="comment" className="input" maxLength={2000} />
          </div>
          <button type="submit" className="btn-primary" disabled={selected.size === 0}>
            Apply to selected
          </button>
          {(error || outcome) && (
            <p role={error ? "alert" : "status"} className={`w-full ${error ? "text-red-700" : "text-slate-700"}`}>
              {error ?? outcome}
            </p>
          )}
        </form>
      )}
      <div className="overflow-x-auto">
        <table className="data-table" aria-label="Alerts">
          <thead>
            <tr>
              {canTriage && (
                <th className="w-8">
                  <input
                    type="checkbox"
                    aria-label="Select all alerts on this page"
                    checked={allSelected}
                    onChange={() => setSelected(allSelected ? new Set() : new Set(items.map((a) => a.id)))}
                  />
                </th>
              )}
              <th>Alert</th>
              <th>Severity</th>
              <th className="max-sm:hidden">Status</th>
              <th>Identity</th>
              <th className="max-sm:hidden">When</th>
              <th className="max-md:hidden">Assignee</th>
              <th className="max-lg:hidden">What happened</th>
            </tr>
          </thead>
          <tbody>
            {items.map((a) => (
              <tr key={a.id}>
                {canTriage && (
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select alert #${a.id}`}
                      checked={selected.has(a.id)}
                      onChange={() => toggle(a.id)}
                    />
                  </td>
                )}
                <td>
                  <Link href={`/alerts/${a.id}`} className="text-sky-700 hover:underline">
                    {a.title}
                  </Link>
                  {a.alsoTitles.length > 0 && (
                    <span className="block text-xs text-slate-500">+ {a.alsoTitles.join(", ")}</span>
                  )}
                  <RowDetails
                    items={[
                      ["Status", STATUS_LABELS[a.status]],
                      ["When", <LocalTime key="when" iso={a.occurredAt} />],
                      ["Assignee", a.assignee ?? "—"],
                      ["What happened", a.summary],
                    ]}
                  />
                </td>
                <td className={SEVERITY_CLASS[a.severity] ?? ""}>{a.severity}</td>
                <td className="max-sm:hidden">{STATUS_LABELS[a.status]}</td>
                <td className="[overflow-wrap:anywhere]">
                  <Link href={`/identities/${encodeURIComponent(a.identity)}`} className="hover:underline">
                    {a.identity}
                  </Link>
                </td>
                <td className="whitespace-nowrap max-sm:hidden">
                  <LocalTime iso={a.occurredAt} />
                </td>
                <td className="max-md:hidden">{a.assignee ?? "—"}</td>
                <td className="text-slate-600 max-lg:hidden">
                  {a.summary}
                  {a.occurrences > 1 ? ` (×${a.occurrences})` : ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
