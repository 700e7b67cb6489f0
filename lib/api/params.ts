import { z } from "zod";
import { notFound } from "../errors.ts";
import { containsNul } from "./nul.ts";

const Uuid = z.uuid();

/** Our ids are UUIDs; anything else cannot name a record. */
export function idParam(params: Record<string, string>): string {
  const parsed = Uuid.safeParse(params.id);
  if (!parsed.success) throw notFound("No such record.");
  return parsed.data;
}

/** An identity key from a URL segment: the primary UPN (or DOMAIN\user), URL-encoded. */
export function identityParam(params: Record<string, string>): string {
  const raw = params.identity ?? "";
  let decoded = raw;
  try {
    decoded = raw.includes("%") ? decodeURIComponent(raw) : raw;
  } catch {
    throw notFound("No such identity.");
  }
  if (!decoded || decoded.length > 320 || containsNul(decoded)) throw notFound("No such identity.");
  return decoded.toLowerCase();
}
