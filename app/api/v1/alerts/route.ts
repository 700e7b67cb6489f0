import { apiRoute } from "@/lib/api/door";
import { listAlerts } from "@/lib/alerts";
import { db } from "@/lib/db/prisma";

export const GET = apiRoute("alerts.read", async ({ req }) =>
  listAlerts(db(), Object.fromEntries(new URL(req.url).searchParams)),
);
