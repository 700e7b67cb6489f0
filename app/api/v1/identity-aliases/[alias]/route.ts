import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { removeIdentityAlias } from "@/lib/identities/aliases.ts";

export const DELETE = apiRoute(op.removeIdentityAlias, async ({ params, actor }) => {
  await removeIdentityAlias(db(), params.alias, await actor());
  return new Response(null, { status: 204 });
});
