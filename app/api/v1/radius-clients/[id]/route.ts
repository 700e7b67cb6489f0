import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { deleteRadiusClient, updateRadiusClient } from "@/lib/radius/radius-clients.ts";

export const PATCH = apiRoute(op.updateRadiusClient, async ({ params, body, actor }) =>
  updateRadiusClient(db(), params.id, body, await actor()),
);

export const DELETE = apiRoute(op.deleteRadiusClient, async ({ params, actor }) => {
  await deleteRadiusClient(db(), params.id, await actor());
  return new Response(null, { status: 204 });
});
