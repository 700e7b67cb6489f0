import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { getAlert, updateAlert } from "@/lib/alerts/triage.ts";
import { notFound } from "@/lib/errors";

export const GET = apiRoute(op.getAlert, async ({ params }) => {
  const alert = await getAlert(db(), params.id);
  if (!alert) throw notFound("No such alert.");
  return alert;
});

export const PATCH = apiRoute(op.triageAlert, async ({ params, body, actor }) =>
  updateAlert(db(), params.id, body, await actor()),
);
