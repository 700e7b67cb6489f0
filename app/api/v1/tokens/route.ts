import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { createToken, listTokens } from "@/lib/auth/api-tokens.ts";

export const GET = apiRoute(op.listTokens, async () => ({ items: await listTokens(db()) }));

/** The token is in this response only; it is never shown again. It belongs to whoever creates it (for a token, its owner). */
export const POST = apiRoute(op.createToken, async ({ body, actor, principal }) => {
  const { token, view } = await createToken(db(), body, await actor(), { id: principal.userId });
  return NextResponse.json({ ...view, token }, { status: 201, headers: { "cache-control": "no-store" } });
});
