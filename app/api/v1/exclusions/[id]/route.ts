import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { deleteExclusion } from "@/lib/alerts/exclusions.ts";

export const DELETE = apiRoute(op.deleteExclusion, async ({ params, actor }) => {
  await deleteExclusion(db(), params.id, await actor());
  return new Response(null, { status: 204 });
});
