import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { removeDomainMapping } from "@/lib/identities/aliases.ts";

export const DELETE = apiRoute(op.removeDomainMapping, async ({ params, actor }) => {
  await removeDomainMapping(db(), params.domain, await actor());
  return new Response(null, { status: 204 });
});
