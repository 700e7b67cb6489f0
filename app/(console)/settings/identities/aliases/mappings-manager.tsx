"use client";

import type { FormEvent } from "react";
import { callApi } from "@/app/_components/api-client";
import { useApiAction } from "@/app/_components/use-api-action";

interface Props {
  aliases: { alias: string; identity: string }[];
  domains: { netbiosDomain: string; upnSuffix: string }[];
  canManage: boolean;
}

export function MappingsManager({ aliases, domains, canManage }: Props) {
  const { error, run } = useApiAction();
  const submit = (path: string, fields: string[]) => (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    void run(
      callApi("POST", path, Object.fromEntries(fields.map((f) => [f, String(form.get(f) ?? "")]))),
      event.currentTarget,
    );
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
        {canManage && (
          <form
            onSubmit={submit("/api/v1/domain-mappings", ["netbiosDomain", "upnSuffix"])}
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
            onSubmit={submit("/api/v1/identity-aliases", ["alias", "identity"])}
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
