"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { callApi } from "@/app/_components/api-client";
import { generateSharedSecret } from "@/lib/secrets/shared-secret.ts";

interface Props {
  enabled: boolean;
  secretConfigured: boolean;
  rotationGraceHours: number;
}

export function VpnSettingsForm(props: Props) {
  const router = useRouter();
  const [enabled, setEnabled] = useState(props.enabled);
  const [secret, setSecret] = useState("");
  const [generated, setGenerated] = useState<string | null>(null);
  const [grace, setGrace] = useState(String(props.rotationGraceHours));
  const [message, setMessage] = useState<{ kind: "error" | "ok"; text: string } | null>(null);
  const [pending, setPending] = useState(false);

  function generate() {
    const value = generateSharedSecret();
    setSecret(value);
    setGenerated(value);
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setMessage(null);
    const result = await callApi("PUT", "/api/v1/settings/vpn", {
      enabled,
      ...(secret ? { sharedSecret: secret } : {}),
      rotationGraceHours: Number(grace),
    });
    setPending(false);
    if (!result.ok) {
      setMessage({ kind: "error", text: result.message });
      return;
    }
    setSecret("");
    setGenerated(null);
    setMessage({ kind: "ok", text: "Saved." });
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4 border-t border-slate-100 pt-4" noValidate>
      <label className="flex items-center gap-2 text-sm font-medium">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        Enable radius accounting
      </label>
      <div className="max-w-md">
        <label htmlFor="shared-secret" className="label">
          Shared Secret
        </label>
        <div className="flex gap-2">
          <input
            id="shared-secret"
            type="password"
            autoComplete="new-password"
            className="input"
            value={secret}
            onChange={(e) => {
              setSecret(e.target.value);
              setGenerated(null);
            }}
            placeholder={
              props.secretConfigured ? "Leave empty to keep the current secret" : "16–128 printable characters"
            }
            aria-describedby="shared-secret-help"
          />
          <button type="button" className="btn-secondary" onClick={generate}>
            Generate
          </button>
        </div>
        <p id="shared-secret-help" className="mt-1 text-xs text-slate-500">
          Write-only: the saved secret is never shown again. A new secret replaces the current one, which stays valid
          for the grace period below.
        </p>
        {generated && (
          <div className="mt-2 rounded-md border border-amber-300 bg-amber-50 p-2 text-sm" role="status">
            <p className="font-medium">
              Copy this secret into your VPN server now; it will not be shown again after saving:
            </p>
            <code data-testid="generated-secret" className="mt-1 block select-all break-all font-mono">
              {generated}
            </code>
            <button
              type="button"
              className="btn-secondary mt-2"
              onClick={() => navigator.clipboard?.writeText(generated)}
            >
              Copy
            </button>
          </div>
        )}
      </div>
      <div className="max-w-[12rem]">
        <label htmlFor="grace-hours" className="label">
          Rotation grace period (hours)
        </label>
        <input
          id="grace-hours"
          type="number"
          min={0}
          max={168}
          className="input"
          value={grace}
          onChange={(e) => setGrace(e.target.value)}
        />
      </div>
      {message && (
        <p
          role={message.kind === "error" ? "alert" : "status"}
          className={`text-sm ${message.kind === "error" ? "text-red-700" : "text-green-700"}`}
        >
          {message.text}
        </p>
      )}
      <button type="submit" className="btn-primary" disabled={pending}>
        {pending ? "Saving…" : "Save"}
      </button>
    </form>
  );
}
