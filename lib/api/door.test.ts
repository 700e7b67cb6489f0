// The door (door.ts) met as a route meets it: real Requests, real bearer tokens on a real PostgreSQL.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createToken, CreateTokenSchema } from "../auth/api-tokens.ts";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import { createUser, CreateUserSchema } from "../auth/users.ts";
import { apiRoute, sameOrigin } from "./door.ts";
import { operation } from "./operation.ts";
import { parseInput } from "../errors.ts";

let t: TestDatabase;
const tokens: Record<"admin" | "viewer", string> = { admin: "", viewer: "" };
const actor = { label: "test" };

beforeAll(async () => {
  t = await createTestDatabase();
  process.env.DATABASE_URL = t.url; // db(): the process-wide client the door resolves tokens with
  const admin = await createUser(
    t.db,
    parseInput(CreateUserSchema, { email: "door-admin@contoso.test", role: "admin", password: "door-password-0001" }),
    actor,
  );
  for (const role of ["admin", "viewer"] as const) {
    tokens[role] = (
      await createToken(t.db, parseInput(CreateTokenSchema, { name: `door-${role}`, role }), actor, { id: admin.id })
    ).token;
  }
});
afterAll(async () => t?.drop());

const op = operation({
  method: "POST",
  path: "/api/v1/things/{id}",
  permission: "users.manage",
  summary: "test",
  params: z.object({ id: z.uuid({ error: "No such thing." }) }),
  query: z.object({ limit: z.coerce.number().int().max(10).default(5) }),
  body: z.object({ name: z.string().min(1, "name is required.") }),
  responses: {},
});
const ID = "9b7e2a52-5d7c-4a52-9f0e-0c6f6a8f6b11";
const seen: unknown[] = [];
const route = apiRoute(op, async (call) => {
  seen.push({ params: call.params, query: call.query, body: call.body });
  return { ok: true };
});

function call(
  opts: { token?: string; id?: string; query?: string; body?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { "content-type": "application/json", ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const req = new Request(`http://portal.test/api/v1/things/${opts.id ?? ID}${opts.query ?? ""}`, {
    method: "POST",
    headers,
    body: opts.body ?? '{"name":"x"}',
  });
  return route(req, { params: Promise.resolve({ id: opts.id ?? ID }) });
}
const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

describe("the API door", () => {
  it("refuses a caller without credentials (401) and a role without the permission (403), before the handler runs", async () => {
    const before = seen.length;
    const anonymous = await call();
    expect(anonymous.status).toBe(401);
    expect((await errorOf(anonymous)).code).toBe("unauthorized");
    const viewer = await call({ token: tokens.viewer });
    expect(viewer.status).toBe(403);
    expect(await errorOf(viewer)).toEqual({
      code: "forbidden",
      message: "The viewer role may not do this (needs users.manage).",
    });
    expect((await call({ token: "vps_not-a-token" })).status).toBe(401);
    expect(seen.length).toBe(before);
  });

  it("parses the path, query and body once and hands the handler typed values (defaults applied)", async () => {
    const res = await call({ token: tokens.admin, body: '{"name":"router"}' });
    expect(res.status).toBe(200);
    expect(seen.at(-1)).toEqual({ params: { id: ID }, query: { limit: 5 }, body: { name: "router" } });
    await call({ token: tokens.admin, query: "?limit=7" });
    expect(seen.at(-1)).toMatchObject({ query: { limit: 7 } });
  });

  it("answers a bad path segment 404, a bad query or body 400 with the schema's message, and a body that is not JSON 400", async () => {
    const before = seen.length;
    const path = await call({ token: tokens.admin, id: "not-a-uuid" });
    expect(path.status).toBe(404);
    expect(await errorOf(path)).toEqual({ code: "not_found", message: "No such thing." });
    const query = await call({ token: tokens.admin, query: "?limit=99" });
    expect(query.status).toBe(400);
    expect((await errorOf(query)).code).toBe("validation");
    const body = await call({ token: tokens.admin, body: '{"name":""}' });
    expect(body.status).toBe(400);
    expect((await errorOf(body)).message).toContain("name is required.");
    const notJson = await call({ token: tokens.admin, body: "{name" });
    expect(await errorOf(notJson)).toEqual({ code: "validation", message: "The request body must be JSON." });
    const nul = await call({ token: tokens.admin, body: '{"name":"a\\u0000b"}' });
    expect(nul.status).toBe(400);
    expect(seen.length).toBe(before);
  });

  it("answers 503 with Retry-After when the database is unreachable, and 500 without details on a bug", async () => {
    const unreachable = apiRoute(op, async () => {
      const client = new pg.Client({
        connectionString: "postgresql://nobody@127.0.0.1:1/none",
        connectionTimeoutMillis: 1000,
      });
      await client.connect();
    });
    const req = () =>
      new Request(`http://portal.test/api/v1/things/${ID}`, {
        method: "POST",
        headers: { authorization: `Bearer ${tokens.admin}` },
        body: '{"name":"x"}',
      });
    const down = await unreachable(req(), { params: Promise.resolve({ id: ID }) });
    expect(down.status).toBe(503);
    expect(down.headers.get("retry-after")).toBe("5");
    expect((await errorOf(down)).code).toBe("unavailable");
    const buggy = apiRoute(op, async () => {
      throw new Error("secret internals");
    });
    const bug = await buggy(req(), { params: Promise.resolve({ id: ID }) });
    expect(bug.status).toBe(500);
    expect(await errorOf(bug)).toEqual({ code: "internal", message: "Internal error." });
  });
});

describe("a cookie-authenticated write must come from our own origin", () => {
  const req = (headers: Record<string, string>) =>
    new Request("http://portal.test/api/v1/users", { method: "POST", headers });
  it("is refused without Origin, from another origin, or with an Origin that is not a URL", () => {
    expect(sameOrigin(req({ host: "portal.test" }))).toBe(false);
    expect(sameOrigin(req({ host: "portal.test", origin: "https://evil.test" }))).toBe(false);
    expect(sameOrigin(req({ host: "portal.test", origin: "null" }))).toBe(false);
    expect(sameOrigin(req({ host: "portal.test", origin: "http://portal.test" }))).toBe(true);
  });
});
