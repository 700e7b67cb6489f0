"use client";

export type ApiResult<T> = { ok: true; data: T } | { ok: false; message: string };

/** Calls our JSON API from the browser; returns the API's error message on failure. */
export async function callApi<T>(
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE",
  path: string,
  body?: unknown,
): Promise<ApiResult<T>> {
  const response = await fetch(path, {
    method,
    headers: body === undefined ? undefined : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
  if (!response.ok) return { ok: false, message: payload?.error?.message ?? `Request failed (${response.status}).` };
  return { ok: true, data: payload as T };
}
