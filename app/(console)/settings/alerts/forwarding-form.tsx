"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { callApi } from "@/app/_components/api-client";

interface Initial {
  syslogEnabled: boolean;
  syslogHost: string;
  syslogPort: string;
  syslogProtocol: "udp" | "tcp";
  webhookEnabled: boolean;
  webhookUrl: string;
  webhookSecretConfigured: boolean;
}

export function ForwardingForm({ initial, canWrite }: { initial: Initial; canWrite: boolean }) {
  const router = useRouter();
  const [message, setMessage] = useState<{ kind: "ok" | "error"; text: string } | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const f = new FormData(event.currentTarget);
    const secret = String(f.get("webhookSecret") ?? "");
    const result = await callApi("PUT", "/api/v1/settings/alert-forwarding", {
      syslogEnabled: f.get("syslogEnabled") === "on",
      syslogHost: String(f.get("syslogHost") ?? "") || null,
      syslogPort: f.get("syslogPort") ? Number(f.get("syslogPort")) : null,
      syslogProtocol: String(f.get("syslogProtocol") ?? "udp"),
      webhookEnabled: f.get("webhookEnabled") === "on",
      webhookUrl: String(f.get("webhookUrl") ?? "") || null,
      ...(secret ? { webhookSecret: secret } : {}),
    });
    setMessage(result.ok ? { kind: "ok", text: "Saved." } : { kind: "error", text: result.message });
    router.refresh();
  }

  async function sendTest() {
    const result = await callApi<{ results: { target: string; ok: boolean; error?: string }[] }>(
      "POST",
      "/api/v1/settings/alert-forwarding/test",
    );
    if (!result.ok) return setMessage({ kind: "error", text: result.message });
    const failed = result.data.results.filter((r) => !r.ok);
    setMessage(
      failed.length
        ? { kind: "error", text: failed.map((r) => `${r.target}: ${r.error}`).join("; ") }
        : { kind: "ok", text: `Test sent to ${result.data.results.map((r) => r.target).join(" and ")}.` },
    );
  }

  const disabled = !canWrite;
  return (
    <form onSubmit={onSubmit} className="card grid gap-4 md:grid-cols-2" aria-label="Alerts forwarding">
      <fieldset className="space-y-2" disabled={disabled}>
        <legend className="font-medium">Syslog (CEF)</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="syslogEnabled" defaultChecked={initial.syslogEnabled} /> Forward to syslog
        </label>
        <div>
          <label htmlFor="syslog-host" className="label">
            Host
          </label>
          <input id="syslog-host" name="syslogHost" defaultValue={initial.syslogHost} className="input" />
        </div>
        <div>
          <label htmlFor="syslog-port" className="label">
            Port
          </label>
          <input
            id="syslog-port"
            name="syslogPort"
            type="number"
            min={1}
            max={65535}
            defaultValue={initial.syslogPort}
            className="input"
          />
        </div>
        <div>
          <label htmlFor="syslog-protocol" className="label">
            Protocol
          </label>
          <select id="syslog-protocol" name="syslogProtocol" defaultValue={initial.syslogProtocol} className="input">
            <option value="udp">UDP</option>
            <option value="tcp">TCP</option>
          </select>
        </div>
      </fieldset>
      <fieldset className="space-y-2" disabled={disabled}>
        <legend className="font-medium">Webhook (JSON)</legend>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="webhookEnabled" defaultChecked={initial.webhookEnabled} /> Forward to a webhook
        </label>
        <div>
          <label htmlFor="webhook-url" className="label">
            URL
          </label>
          <input id="webhook-url" name="webhookUrl" defaultValue={initial.webhookUrl} className="input" />
        </div>
        {canWrite && (
          <div>
            <label htmlFor="webhook-secret" className="label">
              Signing secret
            </label>
            <input
              id="webhook-secret"
              name="webhookSecret"
              type="password"
              autoComplete="new-password"
              className="input"
              placeholder={
                initial.webhookSecretConfigured ? "Leave empty to keep the current secret" : "At least 16 characters"
              }
            />
          </div>
        )}
      </fieldset>
      {canWrite ? (
        <div className="flex items-center gap-2 md:col-span-2">
          <button type="submit" className="btn-primary">
            Save
          </button>
          <button type="button" className="btn-secondary" onClick={sendTest}>
            Send test
          </button>
          {message && (
            <span
              role={message.kind === "error" ? "alert" : "status"}
              className={message.kind === "error" ? "text-sm text-red-700" : "text-sm text-green-700"}
            >
              {message.text}
            </span>
          )}
        </div>
      ) : (
        <p className="text-sm text-slate-500 md:col-span-2">Read-only: only admins change forwarding.</p>
      )}
    </form>
  );
}
