"use client";

import type { FormEvent } from "react";
import { callApi } from "@/app/_components/api-client";
import { useApiAction } from "@/app/_components/use-api-action";
import { LocalTime } from "@/app/_components/local-time";

import { API_VENDORS, VENDOR_LABELS, fromApiVendor, type ApiVendor } from "@/lib/radius/vendors.ts";

const VENDOR_OPTIONS = API_VENDORS.map((v) => [v, VENDOR_LABELS[fromApiVendor(v)]] as const);
const vendorLabel = (id: string) => VENDOR_OPTIONS.find(([v]) => v === (id as ApiVendor))?.[1] ?? id;

interface ClientRow {
  id: string;
  name: string;
  address: string;
  vendor: string;
  requireMessageAuthenticator: boolean;
  certificate: string | null;
  ownSecretConfigured: boolean;
  secretUpdatedAt: string | null;
  previousSecretExpiresAt: string | null;
}

/** The first client changes what is accepted: from then on every source not listed is dropped. Said before. */
export function firstClientWarning(dropped: string[]): string {
  const named = dropped.length
    ? ` In the last 7 days, ${dropped.length} source${dropped.length === 1 ? "" : "s"} this client does not cover sent RADIUS here and will be dropped from now on: ${dropped.slice(0, 10).join(", ")}${dropped.length > 10 ? ", …" : ""}.`
    : " Every source seen in the last 7 days is covered by this client.";
  return `This is the first RADIUS client: from now on only listed clients are accepted, and every other source is dropped as "unknown client".${named} Add it?`;
}

export function RadiusClientsPanel({ clients, canWrite }: { clients: ClientRow[]; canWrite: boolean }) {
  const { error, run } = useApiAction();

  async function onAdd(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    if (clients.length === 0) {
      // The sources of the last 7 days the new address leaves out (an address the API refuses: its POST says why).
      const address = String(form.get("address") ?? "");
      const left = await callApi<{ items: { source: string }[] }>(
        "GET",
        `/api/v1/nas-sources?${new URLSearchParams({ notCoveredBy: address })}`,
      );
      if (left.ok && !window.confirm(firstClientWarning(left.data.items.map((i) => i.source)))) return;
    }
    const secret = String(form.get("secret") ?? "");
    const certificate = String(form.get("certificate") ?? "").trim();
    await run(
      callApi("POST", "/api/v1/radius-clients", {
        name: String(form.get("name") ?? ""),
        address: String(form.get("address") ?? ""),
        vendor: String(form.get("vendor") ?? "other"),
        requireMessageAuthenticator: form.get("requireMessageAuthenticator") === "on",
        ...(secret ? { sharedSecret: secret } : {}),
        ...(certificate ? { certificate } : {}),
      }),
      formElement,
    );
  }

  async function onDelete(client: ClientRow) {
    if (!window.confirm(`Remove the RADIUS client ${client.name}?`)) return;
    await run(callApi("DELETE", `/api/v1/radius-clients/${client.id}`));
  }

  async function onRotate(client: ClientRow) {
    const secret = window.prompt(`New shared secret for ${client.name} (16–128 printable characters):`);
    if (!secret) return;
    await run(callApi("PATCH", `/api/v1/radius-clients/${client.id}`, { sharedSecret: secret }));
  }

  return (
    <section className="card space-y-4" aria-labelledby="clients-heading">
      <div>
        <h2 id="clients-heading" className="text-lg font-semibold">
          RADIUS clients
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          {clients.length === 0
            ? "No clients listed: any source that knows the shared secret may send accounting."
            : "Only the sources listed here are accepted."}
        </p>
      </div>
      {clients.length > 0 && (
        <div className="overflow-x-auto">
          <table className="data-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>IP or CIDR</th>
                <th>Vendor</th>
                <th>Secret</th>
                <th>Message-Authenticator</th>
                <th>RadSec certificate</th>
                {canWrite && <th className="sr-only">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {clients.map((c) => (
                <tr key={c.id}>
                  <td>{c.name}</td>
                  <td className="font-mono">{c.address}</td>
                  <td>{vendorLabel(c.vendor)}</td>
                  <td>
                    {c.ownSecretConfigured ? (
                      <>
                        own, set <LocalTime iso={c.secretUpdatedAt} />
                      </>
                    ) : (
                      "global"
                    )}
                    {c.previousSecretExpiresAt && (
                      <div className="text-xs text-slate-500">
                        previous valid until <LocalTime iso={c.previousSecretExpiresAt} />
                      </div>
                    )}
                  </td>
                  <td>{c.requireMessageAuthenticator ? "required" : "optional"}</td>
                  <td className="max-w-48 break-all font-mono text-xs">{c.certificate ?? "any from the client CA"}</td>
                  {canWrite && (
                    <td className="space-x-2 whitespace-nowrap text-right">
                      <button type="button" className="btn-secondary" onClick={() => onRotate(c)}>
                        Set secret
                      </button>
                      <button
                        type="button"
                        className="btn-danger"
                        onClick={() => onDelete(c)}
                        aria-label={`Remove ${c.name}`}
                      >
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canWrite && (
        <form
          onSubmit={onAdd}
          className="grid grid-cols-1 gap-3 border-t border-slate-100 pt-4 sm:grid-cols-2 lg:grid-cols-3"
          aria-label="Add RADIUS client"
        >
          <div>
            <label htmlFor="client-name" className="label">
              Name
            </label>
            <input id="client-name" name="name" required className="input" />
          </div>
          <div>
            <label htmlFor="client-address" className="label">
              IP or CIDR
            </label>
            <input
              id="client-address"
              name="address"
              required
              className="input"
              placeholder="192.0.2.10 or 10.0.0.0/24"
            />
          </div>
          <div>
            <label htmlFor="client-vendor" className="label">
              Vendor
            </label>
            <select id="client-vendor" name="vendor" className="input" defaultValue="other">
              {VENDOR_OPTIONS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="client-secret" className="label">
              Own secret (optional)
            </label>
            <input id="client-secret" name="secret" type="password" autoComplete="new-password" className="input" />
          </div>
          <div>
            <label htmlFor="client-certificate" className="label">
              RadSec certificate (optional)
            </label>
            <input
              id="client-certificate"
              name="certificate"
              className="input"
              placeholder="SHA-256 fingerprint or CN / SAN name"
            />
          </div>
          <label className="flex items-center gap-2 self-end text-sm">
            <input type="checkbox" name="requireMessageAuthenticator" />
            Require Message-Authenticator
          </label>
          <div className="self-end">
            <button type="submit" className="btn-primary">
              Add client
            </button>
          </div>
        </form>
      )}
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
    </section>
  );
}
