import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openApiDocument } from "./openapi.ts";

/** Every route handler under app/api/v1, as an OpenAPI path ([id] → {id}), with its exported methods. */
function routes(dir = path.resolve("app/api/v1"), prefix = "/api/v1"): { path: string; methods: string[] }[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (!entry.isDirectory()) {
      if (entry.name !== "route.ts") return [];
      const source = fs.readFileSync(path.join(dir, entry.name), "utf8");
      const methods = [...source.matchAll(/export const (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) =>
        m[1]!.toLowerCase(),
      );
      return [{ path: prefix, methods }];
    }
    return routes(path.join(dir, entry.name), `${prefix}/${entry.name.replace(/^\[(\w+)\]$/, "{$1}")}`);
  });
}

describe("the OpenAPI document", () => {
  it("describes every route and method the API serves", () => {
    const documented = openApiDocument.paths as Record<string, Record<string, unknown>>;
    const served = routes().filter((r) => !r.path.includes("[...") && r.path !== "/api/v1/openapi.json");
    const missing = served.flatMap((r) =>
      r.methods.filter((m) => !documented[r.path]?.[m]).map((m) => `${m.toUpperCase()} ${r.path}`),
    );
    expect(missing).toEqual([]);
    expect(served.length).toBeGreaterThan(20);
  });
});
