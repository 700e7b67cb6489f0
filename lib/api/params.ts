import { z } from "zod";
import { notFound } from "../errors.ts";

const Uuid = z.uuid();

/** Our ids are UUIDs; anything else cannot name a record. */
export function idParam(params: Record<string, string>): string {
  const parsed = Uuid.safeParse(params.id);
  if (!parsed.success) throw notFound("No such record.");
  return parsed.data;
}
