import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Operation } from "./operation.ts";
import { openApiDocument } from "./openapi.ts";
import { OPERATIONS } from "./operations.ts";

/** Every route file under app/api/v1, as an OpenAPI path ([id] → {id}). */
function routeFiles(dir = path.resolve("app/api/v1"), prefix = "/api/v1"): { path: string; file: string }[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (!entry.isDirectory())
      return entry.name === "route.ts" ? [{ path: prefix, file: path.join(dir, entry.name) }] : [];
    return routeFiles(path.join(dir, entry.name), `${prefix}/${entry.name.replace(/^\[(\w+)\]$/, "{$1}")}`);
  });
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Paths = Record<
  string,
  Record<string, { parameters?: { name: string; in: string; schema: { enum?: unknown[] } }[]; requestBody?: unknown }>
>;

describe("the OpenAPI document and the routes", () => {
  it("every method a route file serves goes through the door with the operation of that method and path, and every operation is served", async () => {
    const served: Operation[] = [];
    const wrong: string[] = [];
    for (const route of routeFiles().filter((r) => !r.path.includes("[...") && r.path !== "/api/v1/openapi.json")) {
      const mod = (await import(route.file)) as Record<string, { operation?: Operation }>;
      for (const method of METHODS) {
        if (!mod[method]) continue;
        const op = mod[method].operation;
        if (!op || op.method !== method || op.path !== route.path)
          wrong.push(`${method} ${route.path}: ${op ? `${op.method} ${op.path}` : "not through apiRoute"}`);
        else served.push(op);
      }
    }
    expect(wrong).toEqual([]);
    const all = Object.values(OPERATIONS) as Operation[];
    expect(all.filter((op) => !served.includes(op)).map((op) => `${op.method} ${op.path}`)).toEqual([]);
    expect(served.length).toBeGreaterThan(25);
  }, 60_000);

  it("documents each operation's parameters and body from the schemas the door parses with", () => {
    const paths = openApiDocument.paths as unknown as Paths;
    for (const op of Object.values(OPERATIONS) as Operation[]) {
      const doc = paths[op.path]?.[op.method.toLowerCase()];
      expect(doc, `${op.method} ${op.path}`).toBeDefined();
      const names = (doc!.parameters ?? []).map((p) => `${p.in}:${p.name}`);
      const expected = [
        ...Object.keys((op.params as unknown as { shape?: object })?.shape ?? {}).map((n) => `path:${n}`),
        ...Object.keys((op.query as unknown as { shape?: object })?.shape ?? {}).map((n) => `query:${n}`),
      ];
      expect(names.sort(), `${op.method} ${op.path}`).toEqual(expected.sort());
      expect(Boolean(doc!.requestBody), `${op.method} ${op.path} body`).toBe(Boolean(op.body));
    }
    // What the code accepts is what the document says (it once listed only "1"/"0" for online).
    const online = paths["/api/v1/identities"]!.get!.parameters!.find((p) => p.name === "online")!;
    const accepted = ["1", "0", "true", "false"].filter(
      (v) => OPERATIONS.listIdentities.query.safeParse({ online: v }).success,
    );
    expect(online.schema.enum ?? accepted).toEqual(expect.arrayContaining(accepted));
  });
});
