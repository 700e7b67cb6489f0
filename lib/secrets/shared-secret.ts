import { z } from "zod";
import { randomAlphanumeric } from "../random.ts";

/** One rule for every RADIUS shared secret (global and per client), in the portal, API and CLI. */
export const SharedSecretSchema = z
  .string()
  .min(16, "The shared secret needs at least 16 characters.")
  .max(128, "The shared secret has at most 128 characters.")
  .regex(/^[\x20-\x7e]*$/, "The shared secret may contain only printable ASCII characters.")
  .refine((s) => s.trim() === s, "The shared secret cannot start or end with a space.")
  .describe("Printable ASCII, no leading or trailing space. Write-only: never returned.");

export const ROTATION_GRACE_DEFAULT_HOURS = 24;
export const RotationGraceHoursSchema = z
  .number({ error: "The grace period is a number of hours." })
  .int("The grace period is a whole number of hours.")
  .min(0, "The grace period is 0 to 168 hours.")
  .max(168, "The grace period is 0 to 168 hours.");

export const generateSharedSecret = () => randomAlphanumeric(32);

/** Whether a replaced secret still works: until the end of its grace period (the one rule for the sensor and the pages). */
export function previousSecretLive(expiresAt: Date | string | null | undefined, now = Date.now()): boolean {
  if (!expiresAt) return false;
  return (typeof expiresAt === "string" ? Date.parse(expiresAt) : expiresAt.getTime()) > now;
}

/** A secret being replaced stays valid for the grace period (none when 0 h). */
export function rotatedPrevious(
  current: { sealed: string | null },
  graceHours: number,
  now: Date,
): { previousSealed: string | null; previousExpiresAt: Date | null } {
  if (!current.sealed || graceHours === 0) return { previousSealed: null, previousExpiresAt: null };
  return { previousSealed: current.sealed, previousExpiresAt: new Date(now.getTime() + graceHours * 3600_000) };
}
