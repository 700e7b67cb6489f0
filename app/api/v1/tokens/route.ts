import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/api/door";
import { CreateTokenSchema, createToken, listTokens } from "@/lib/api-tokens";
import { db } from "@/lib/db/prisma";
import { parseInput } from "@/lib/errors";

export const GET = apiRoute("tokens.manage", async () => ({ items: await listTokens(db()) }));

/** The token is in this response only; it is never shown again. */
/** The new token belongs to whoever creates it (for a token, its owner). */
export const POST = apiRoute("tokens.manage", async ({ json, actor, principal }) => {
  const { token, view } = await createToken(db(), parseInput(CreateTokenSchema, await json()), await actor(), {
    id: principal.userId,
  });
  return NextResponse.json({ ...view, token }, { status: 201, headers: { "cache-control": "no-store" } });
});
