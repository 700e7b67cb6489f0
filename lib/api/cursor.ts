import { validationError } from "../errors.ts";

/** Opaque keyset cursor for "newest first" lists: the (time, id) of the last item returned. */
export const encodeCursor = (time: Date, id: bigint): string =>
  Buffer.from(`${time.toISOString()}|${id}`).toString("base64url");

export function decodeCursor(cursor: string): { time: Date; id: bigint } {
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const time = new Date(at ?? "");
  if (!id || !/^\d+$/.test(id) || Number.isNaN(time.getTime()))
    throw validationError("cursor is not valid: use nextCursor from the previous page.");
  return { time, id: BigInt(id) };
}
