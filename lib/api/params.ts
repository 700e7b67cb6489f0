import { z } from "zod";
import { notFound } from "../errors.ts";
import { containsNul } from "./nul.ts";

const Uuid = z.uuid();

/** A date-time filter (ISO 8601 with offset). The year 0000 parses in JavaScript, not in PostgreSQL. */
export const isoDateTime = (name: string) =>
  z.iso
    .datetime({ offset: true, error: `${name} must be an ISO 8601 date-time.` })
    .refine((value) => !value.startsWith("0000"), { error: `${name} must be a date-time from the year 0001 on.` });

/** A whole-number filter (a page, a limit, a number of days) within its bounds, named in the message. */
export const wholeNumber = (name: string, min: number, max: number) => {
  const bounds = { error: `${name} is a whole number from ${min} to ${max}.` };
  return z.coerce
    .number({ error: `${name} must be a number.` })
    .int(bounds)
    .min(min, bounds)
    .max(max, bounds);
};

/** Our ids are UUIDs; anything else cannot name a record. */
export function idParam(params: Record<string, string>): string {
  const parsed = Uuid.safeParse(params.id);
  if (!parsed.success) throw notFound("No such record.");
  return parsed.data;
}

/**
 * The identity key (primary UPN or DOMAIN\user) named by an API route's `[identity]` segment. Next.js hands
 * route handlers their segments decoded already: decoding again would turn an identity containing "%41" into
 * another one ("A"), or fail on a lone "%".
 */
export function identityParam(params: Record<string, string>): string {
  const identity = params.identity ?? "";
  if (!identity || identity.length > 320 || containsNul(identity)) throw notFound("No such identity.");
  return identity.toLowerCase();
}

/** The same from a page's `[identity]` segment, which Next.js hands pages still URL-encoded. */
export function identityPageParam(params: Record<string, string>): string {
  try {
    return identityParam({ identity: decodeURIComponent(params.identity ?? "") });
  } catch (err) {
    if (err instanceof URIError) throw notFound("No such identity.");
    throw err;
  }
}
