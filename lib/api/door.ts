import { NextResponse } from "next/server";
import { ZodError } from "zod";
import { can, type Permission } from "../auth/permissions.ts";
import { actorOf, currentPrincipal, type Principal } from "../auth/principal.ts";
import type { Actor } from "../audit.ts";
import { AppError, invalidInput } from "../errors.ts";
import { DATABASE_UNAVAILABLE, isDatabaseUnavailable } from "../db/unavailable.ts";
import { log } from "../log.ts";
import { NUL_REFUSED, containsNul } from "./nul.ts";

export type ApiErrorCode = AppError["code"] | "unavailable" | "internal";

export function apiError(status: number, code: ApiErrorCode, message: string, details?: unknown): NextResponse {
  return NextResponse.json({ error: { code, message, ...(details ? { details } : {}) } }, { status });
}

type Params = Record<string, string | string[] | undefined>;
interface RouteContext {
  params: Promise<Params>;
}
export interface ApiCall {
  req: Request;
  principal: Principal;
  actor: () => Promise<Actor>;
  params: Record<string, string>;
  /** The JSON body; a body that is not JSON is a 400. */
  json: () => Promise<unknown>;
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Browsers always send Origin on cross-site writes; a cookie-authenticated write must come from our own origin. */
function sameOrigin(req: Request): boolean {
  const origin = req.headers.get("origin");
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * The one door of every API route: authenticate (bearer token or session),
 * authorize against the permission map, then turn errors into JSON.
 */
export function apiRoute(permission: Permission, handler: (call: ApiCall) => Promise<unknown>) {
  return async (req: Request, ctx: RouteContext): Promise<Response> => {
    try {
      const principal = await currentPrincipal();
      if (!principal)
        return apiError(401, "unauthorized", "Sign in or send a valid API token (Authorization: Bearer …).");
      if (!can(principal.role, permission)) {
        return apiError(403, "forbidden", `The ${principal.role} role may not do this (needs ${permission}).`);
      }
      if (principal.kind === "user" && MUTATING.has(req.method) && !sameOrigin(req)) {
        return apiError(403, "forbidden", "Cross-origin request refused.");
      }
      const raw = ctx?.params ? await ctx.params : {};
      const params = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, String(v)]));
      if (containsNul(params) || containsNul([...new URL(req.url).searchParams]))
        throw new AppError("validation", NUL_REFUSED, 400);
      const result = await handler({
        req,
        principal,
        params,
        actor: () => actorOf(principal),
        json: async () => {
          let body: unknown;
          try {
            body = await req.json();
          } catch {
            throw new AppError("validation", "The request body must be JSON.", 400);
          }
          if (containsNul(body)) throw new AppError("validation", NUL_REFUSED, 400);
          return body;
        },
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
}
