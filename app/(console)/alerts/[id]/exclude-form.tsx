"use client";

import { useState, type FormEvent } from "react";
import { callApi } from "@/app/_components/api-client";
import { useApiAction } from "@/app/_components/use-api-action";

const EXPIRIES = [
  ["", "Never"],
  ["7", "7 days"],
  ["30", "30 days"],
  ["90", "90 days"],
] as const;

/** "Exclude this IP for this rule" and its siblings, filled from the alert's session. */
export function ExcludeForm(props: {
  alertId: string;
  rule: string;
  ruleTitle: string;
  identity: string;
  publicIp: string | null;
  countryCode: string | null;
  nas: string | null;
}) {
  const { error, run } = useApiAction();
  const [done, setDone] = useState<string | null>(null);
  type Field = "ipBlock" | "identity" | "countryCode" | "nas";
  const what: [Field, string, string][] = [];
  if (props.publicIp) what.push(["ipBlock", props.publicIp, `this IP (${props.publicIp})`]);
  what.push(["identity", props.identity, `this identity (${props.identity})`]);
  if (props.countryCode) what.push(["countryCode", props.countryCode, `this country (${props.countryCode})`]);
  if (props.nas) what.push(["nas", props.nas, `this NAS (${props.nas})`]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const [field, value] = what[Number(form.get("what"))]!;
    const days = String(form.get("expires") ?? "");
    const result = await run(
      callApi<{ description: string }>("POST", "/api/v1/exclusions", {
        rule: form.get("scope") === "all" ? null : props.rule,
        [field]: value,
        reason: String(form.get("reason") ?? ""),
        expiresAt: days ? new Date(Date.now() + Number(days) * 86_400_000).toISOString() : null,
        fromAlertId: props.alertId,
      }),
      event.currentTarget,
    );
    setDone(result.ok ? `Excluded: ${result.data.description}.` : null);
  }
  return (
    <form onSubmit={onSubmit} className="flex flex-wrap items-end gap-3 text-sm" aria-label="Exclude">
      <div>
        <label htmlFor="x-what" className="label">
          Exclude
        </label>
        <select id="x-what" name="what" className="input" defaultValue="0">
          {what.map(([, , label], i) => (
            <option key={label} value={i}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label htmlFor="x-scope" className="label">
          From
        </label>
        <select id="x-scope" name="scope" className="input" defaultValue="rule">
          <option value="rule">this rule ({props.ruleTitle})</option>
          <option value="all">every rule</option>
        </select>
      </div>
      <div>
        <label htmlFor="x-expires" className="label">
          Expires after
        </label>
        <select id="x-expires" name="expires" className="input" defaultValue="">
          {EXPIRIES.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div className="min-w-64 flex-1">
        <label htmlFor="x-reason" className="label">
          Reason
        </label>
        <input id="x-reason" name="reason" className="input" maxLength={500} required />
      </div>
      <button type="submit" className="btn-secondary">
        Add exclusion
      </button>
      {(error || done) && (
        <p role={error ? "alert" : "status"} className={`w-full ${error ? "text-red-700" : "text-slate-700"}`}>
          {error ?? done}
        </p>
      )}
    </form>
  );
}
