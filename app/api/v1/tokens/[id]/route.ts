import { apiRoute } from "@/lib/api/door";
import { idParam } from "@/lib/api/params";
import { revokeToken } from "@/lib/api-tokens";
import { db } from "@/lib/db/prisma";

export const DELETE = apiRoute("tokens.manage", async ({ params, actor }) => {
  await revokeToken(db(), idParam(params), await actor());
  return new Response(null, { status: 204 });
});
