"use client";

import { useRef, useState, type FormEvent } from "react";
import { callApi } from "@/app/_components/api-client";
import { useApiAction } from "@/app/_components/use-api-action";

interface Props {
  aliases: { alias: string; identity: string }[];
  domains: { netbiosDomain: string; upnSuffix: string }[];
  suggestions: { netbiosDomain: string; identities: number }[];
  canManage: boolean;
}

interface MergeCounts {
  identities: number;
  sessions: number;
  alerts: number;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** "Will merge 100 identities, 5,210 sessions, 14 alerts." for a form's current values (nothing is saved). */
function useMergePreview(path: string, fields: string[]) {
  const [text, setText] = useState<string | null>(null);
  const latest = useRef(0);
  const update = async (form: HTMLFormElement) => {
    const data = new FormData(form);
    const values = fields.map((f) => String(data.get(f) ?? "").trim());
    const call = ++latest.current;
    if (values.some((v) => !v)) return setText(null);
    const query = new URLSearchParams(fields.map((f, i) => [f, values[i]!]));
    const result = await callApi<MergeCounts>("GET", `${path}?${query}`);
    if (call !== latest.current) return; // a later keystroke's answer wins
    setText(
      result.ok
        ? result.data.identities
          ? `Will merge ${plural(result.data.identities, "identity", "identities")}, ${plural(result.data.sessions, "session")}, ${plural(result.data.alerts, "alert")}.`
          : "Nothing to merge yet: no identity has this name."
        : result.message,
    );
  };
  return { text, update, clear: () => setText(null) };
}

export function MappingsManager({ aliases, domains, suggestions, canManage }: Props) {
  const { error, run } = useApiAction();
  const domainPreview = useMergePreview("/api/v1/domain-mappings/preview", ["netbiosDomain", "upnSuffix"]);
  const aliasPreview = useMergePreview("/api/v1/identity-aliases/preview", ["alias", "identity"]);
  const domainForm = useRef<HTMLFormElement>(null);
  const submit = (path: string, fields: string[], clear: () => void) => async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const result = await run(
      callApi("POST", path, Object.fromEntries(fields.map((f) => [f, String(form.get(f) ?? "")]))),
      event.currentTarget,
    );
    if (result.ok) clear();
  };

  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <section className="card space-y-3" aria-labelledby="domains-heading">
        <h2 id="domains-heading" className="text-lg font-semibold">
          NetBIOS domains
        </h2>
        {domains.length === 0 ? (
          <p className="text-sm text-slate-600">No domain mapped.</p>
        ) : (
          <table className="data-table" aria-label="Domain mappings">
            <thead>
              <tr>
                <th>NetBIOS domain</th>
                <th>UPN suffix</th>
                {canManage && <th className="sr-only">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {domains.map((d) => (
                <tr key={d.netbiosDomain}>
                  <td>{d.netbiosDomain.toUpperCase()}</td>
                  <td>{d.upnSuffix}</td>
                  {canManage && (
                    <td>
                      <button
                        type="button"
                        className="btn-danger"
                        onClick={() =>
                          run(callApi("DELETE", `/api/v1/domain-mappings/${encodeURIComponent(d.netbiosDomain)}`))
                        }
                      >
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {suggestions.length > 0 && (
          <div className="text-sm" aria-label="Unmapped domains">
            <p className="text-slate-600">Seen in VPN user names, not mapped:</p>
            <ul className="mt-1 space-y-1">
              {suggestions.map((d) => (
                <li key={d.netbiosDomain} data-testid="unmapped-domain">
                  {d.netbiosDomain.toUpperCase()}: seen on {plural(d.identities, "identity", "identities")}
                  {canManage && (
                    <button
                      type="button"
                      className="ml-2 text-sky-700 underline"
                      onClick={() => {
                        const form = domainForm.current;
                        if (!form) return;
                        (form.elements.namedItem("netbiosDomain") as HTMLInputElement).value =
                          d.netbiosDomain.toUpperCase();
                        (form.elements.namedItem("upnSuffix") as HTMLInputElement).focus();
                        void domainPreview.update(form);
                      }}
                    >
                      Map {d.netbiosDomain.toUpperCase()}…
                    </button>
                  )}
                </li>
              ))}
            </ul>
          </div>
        )}
        {canManage && (
          <form
            ref={domainForm}
            onSubmit={submit("/api/v1/domain-mappings", ["netbiosDomain", "upnSuffix"], domainPreview.clear)}
            onInput={(e) => void domainPreview.update(e.currentTarget)}
            className="flex flex-wrap items-end gap-2"
            aria-label="Map a domain"
          >
            <div>
              <label htmlFor="netbios" className="label">
                NetBIOS domain
              </label>
              <input id="netbios" name="netbiosDomain" required className="input" placeholder="CONTOSO" />
            </div>
            <div>
              <label htmlFor="suffix" className="label">
                UPN suffix
              </label>
              <input id="suffix" name="upnSuffix" required className="input" placeholder="contoso.com" />
            </div>
            <button type="submit" className="btn-primary">
              Map domain
            </button>
            {domainPreview.text && (
              <p className="w-full text-sm text-slate-700" data-testid="domain-merge-preview" aria-live="polite">
                {domainPreview.text}
              </p>
            )}
          </form>
        )}
      </section>
      <section className="card space-y-3" aria-labelledby="aliases-heading">
        <h2 id="aliases-heading" className="text-lg font-semibold">
          Aliases
        </h2>
        {aliases.length === 0 ? (
          <p className="text-sm text-slate-600">No alias.</p>
        ) : (
          <table className="data-table" aria-label="Aliases">
            <thead>
              <tr>
                <th>Alias</th>
                <th>Identity</th>
                {canManage && <th className="sr-only">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {aliases.map((a) => (
                <tr key={a.alias}>
                  <td>{a.alias}</td>
                  <td>{a.identity}</td>
                  {canManage && (
                    <td>
                      <button
                        type="button"
                        className="btn-danger"
                        onClick={() =>
                          run(callApi("DELETE", `/api/v1/identity-aliases/${encodeURIComponent(a.alias)}`))
                        }
                      >
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {canManage && (
          <form
            onSubmit={submit("/api/v1/identity-aliases", ["alias", "identity"], aliasPreview.clear)}
            onInput={(e) => void aliasPreview.update(e.currentTarget)}
            className="flex flex-wrap items-end gap-2"
            aria-label="Add an alias"
          >
            <div>
              <label htmlFor="alias" className="label">
                Alias
              </label>
              <input id="alias" name="alias" required className="input" placeholder="bob@contoso.onmicrosoft.com" />
            </div>
            <div>
              <label htmlFor="primary" className="label">
                Primary identity
              </label>
              <input id="primary" name="identity" required className="input" placeholder="bob@contoso.com" />
            </div>
            <button type="submit" className="btn-primary">
              Add alias
            </button>
            {aliasPreview.text && (
              <p className="w-full text-sm text-slate-700" data-testid="alias-merge-preview" aria-live="polite">
                {aliasPreview.text}
              </p>
            )}
          </form>
        )}
      </section>
      {error && (
        <p role="alert" className="text-sm text-red-700">
          {error}
        </p>
      )}
    </div>
  );
}
