/**
 * PostgreSQL text cannot hold U+0000: a query with it fails in the database, which would surface as a
 * server error. Input containing it is refused where it enters (API door, page filters, sign-in).
 */
export const NUL_REFUSED = "Text cannot contain the NUL character (U+0000).";

/** Whether a string, or any string inside parsed JSON / a params record, contains U+0000. */
export function containsNul(value: unknown): boolean {
  if (typeof value === "string") return value.includes("\0");
  if (Array.isArray(value)) return value.some(containsNul);
  if (value && typeof value === "object")
    return Object.entries(value).some(([k, v]) => k.includes("\0") || containsNul(v));
  return false;
}
