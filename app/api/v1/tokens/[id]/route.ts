import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { revokeToken } from "@/lib/auth/api-tokens.ts";

export const DELETE = apiRoute(op.revokeToken, async ({ params, actor }) => {
  await revokeToken(db(), params.id, await actor());
  return new Response(null, { status: 204 });
});
