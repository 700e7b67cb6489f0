import { NextResponse } from "next/server";
import { ZodError, type z } from "zod";
import { can } from "../auth/permissions.ts";
import { actorOf, currentPrincipal, type Principal } from "../auth/principal.ts";
import type { Actor } from "../audit/record.ts";
import { AppError, invalidInput, notFound } from "../errors.ts";
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from "../db/unavailable.ts";
import { log } from "../log.ts";
import { apiError } from "./error-body.ts";
import { NUL_REFUSED, containsNul } from "./nul.ts";
import type { Operation, Parsed } from "./operation.ts";

type Params = Record<string, string | string[] | undefined>;
interface RouteContext {
  params: Promise<Params>;
}
export interface ApiCall<P = undefined, Q = undefined, B = undefined> {
  req: Request;
  principal: Principal;
  actor: () => Promise<Actor>;
  /** The path segments, the query and the JSON body, parsed by the operation's schemas. */
  params: P;
  query: Q;
  body: B;
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Browsers always send Origin on cross-site writes; a cookie-authenticated write must come from our own origin. */
export function sameOrigin(req: Request): boolean {
  const origin = req.headers.get("origin");
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

async function readJson(req: Request): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw new AppError("validation", "The request body must be JSON.", 400);
  }
}

/** Parses with a schema; a path segment that fails names nothing (404), any other input is invalid (400). */
function parseWith<S extends z.ZodType | undefined>(
  schema: S,
  input: unknown,
  where: "params" | "query" | "body",
): Parsed<S> {
  if (!schema) return undefined as Parsed<S>;
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data as Parsed<S>;
  if (where === "params") throw notFound(parsed.error.issues[0]?.message ?? "Not found.");
  throw invalidInput(parsed.error.issues);
}

/**
 * The one door of every API route: authenticate (bearer token or session), authorize against the permission map,
 * refuse cross-origin writes, parse the path, query and body with the operation's schemas (once: the handler gets
 * typed values), then turn errors into JSON.
 */
export function apiRoute<
  P extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  B extends z.ZodType | undefined,
>(op: Operation<P, Q, B>, handler: (call: ApiCall<Parsed<P>, Parsed<Q>, Parsed<B>>) => Promise<unknown>) {
  const route = async (req: Request, ctx: RouteContext): Promise<Response> => {
    try {
      const principal = await currentPrincipal(req.headers);
      if (!principal)
        return apiError(401, "unauthorized", "Sign in or send a valid API token (Authorization: Bearer …).");
      if (!can(principal.role, op.permission)) {
        return apiError(403, "forbidden", `The ${principal.role} role may not do this (needs ${op.permission}).`);
      }
      if (principal.kind === "user" && MUTATING.has(req.method) && !sameOrigin(req)) {
        return apiError(403, "forbidden", "Cross-origin request refused.");
      }
      const raw = ctx?.params ? await ctx.params : {};
      const rawParams = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
      const search = new URL(req.url).searchParams;
      if (containsNul(rawParams) || containsNul([...search])) throw new AppError("validation", NUL_REFUSED, 400);
      const params = parseWith(op.params as P, rawParams, "params");
      const query = parseWith(op.query as Q, Object.fromEntries(search), "query");
      let body = undefined as Parsed<B>;
      if (op.body) {
        const json = await readJson(req);
        if (containsNul(json)) throw new AppError("validation", NUL_REFUSED, 400);
        body = parseWith(op.body as B, json, "body");
      }
      const result = await handler({
        req,
        principal,
        params,
        query,
        body,
        actor: () => actorOf(principal, req.headers),
      });
      return result instanceof Response ? result : NextResponse.json(result);
    } catch (err) {
      const known = err instanceof ZodError ? invalidInput(err.issues) : err;
      if (known instanceof AppError) return apiError(known.status, known.code, known.message, known.details);
      if (isDatabaseUnavailable(err)) {
        log.warn(
          { path: new URL(req.url).pathname, error: (err as Error).message },
          "API request failed: database unreachable",
        );
        const res = apiError(503, "unavailable", DATABASE_UNAVAILABLE);
        res.headers.set("retry-after", "5");
        return res;
      }
      log.error({ err, path: new URL(req.url).pathname }, "API request failed");
      return apiError(500, "internal", "Internal error.");
    }
  };
  return Object.assign(route, { operation: op });
}
