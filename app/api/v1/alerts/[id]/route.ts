import { apiRoute } from "@/lib/api/door";
import { getAlert, updateAlertStatus } from "@/lib/alerts";
import { db } from "@/lib/db/prisma";
import { notFound } from "@/lib/errors";

export const GET = apiRoute("alerts.read", async ({ params }) => {
  const alert = await getAlert(db(), params.id ?? "");
  if (!alert) throw notFound("No such alert.");
  return alert;
});

export const PATCH = apiRoute("alerts.triage", async ({ params, json, actor }) =>
  updateAlertStatus(db(), params.id ?? "", await json(), await actor()),
);
