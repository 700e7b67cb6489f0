// One API operation: its method, path, permission and the zod schemas of its input. The door (door.ts) parses with
// them, and the OpenAPI document (openapi.ts) is generated from them, so the two cannot disagree.
import type { z } from "zod";
import type { Permission } from "../auth/permissions.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type AnySchema = z.ZodType;

export interface Operation<
  P extends AnySchema | undefined = AnySchema | undefined,
  Q extends AnySchema | undefined = AnySchema | undefined,
  B extends AnySchema | undefined = AnySchema | undefined,
> {
  method: HttpMethod;
  /** OpenAPI form: /api/v1/alerts/{id}. */
  path: string;
  permission: Permission;
  summary: string;
  /** Path segments; a value that fails names nothing: 404 with the schema's message. */
  params?: P;
  /** The query string (one value per name); a value that fails: 400. */
  query?: Q;
  /** The JSON body; a body that fails: 400. */
  body?: B;
  /** Success responses (OpenAPI response objects, by status). */
  responses: Record<string, object>;
  /** Error statuses besides 401, 403 and 503, which every operation may answer. */
  errors?: number[];
}

export type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** Declares an operation, keeping its schemas' types for the handler. */
export function operation<
  P extends AnySchema | undefined = undefined,
  Q extends AnySchema | undefined = undefined,
  B extends AnySchema | undefined = undefined,
>(op: Operation<P, Q, B>): Operation<P, Q, B> & { params: P; query: Q; body: B } {
  return op as Operation<P, Q, B> & { params: P; query: Q; body: B };
}
