import { NextResponse } from "next/server";
import type { AppError } from "../errors.ts";

export type ApiErrorCode = AppError["code"] | "unavailable" | "internal";

/** The API's one error shape: `{ error: { code, message, details? } }` (the door, the proxy, unknown paths). */
export function apiError(status: number, code: ApiErrorCode, message: string, details?: unknown): NextResponse {
  return NextResponse.json({ error: { code, message, ...(details ? { details } : {}) } }, { status });
}
