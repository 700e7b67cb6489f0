import { apiRoute } from "@/lib/api/door";
import { db } from "@/lib/db/prisma";
import { idParam } from "@/lib/api/params";
import { deleteRadiusClient, updateRadiusClient } from "@/lib/radius-clients";

export const PATCH = apiRoute("radiusClients.write", async ({ params, json, actor }) =>
  updateRadiusClient(db(), idParam(params), await json(), await actor()),
);

export const DELETE = apiRoute("radiusClients.write", async ({ params, actor }) => {
  await deleteRadiusClient(db(), idParam(params), await actor());
  return new Response(null, { status: 204 });
});
