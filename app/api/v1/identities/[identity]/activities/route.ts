import { apiRoute } from "@/lib/api/door";
import { identityParam } from "@/lib/api/params";
import { db } from "@/lib/db/prisma";
import { parseInput } from "@/lib/errors";
import { ActivitiesQuerySchema, activitiesCsv, identityActivities } from "@/lib/identities";

/** JSON pages, or `?format=csv` for the whole filtered timeline (streamed, capped). */
export const GET = apiRoute("identities.read", async ({ req, params }) => {
  const search = Object.fromEntries(new URL(req.url).searchParams);
  const { format, ...rest } = search;
  const query = parseInput(ActivitiesQuerySchema, rest);
  const identity = identityParam(params);
  if (format === "csv") {
    const filename = `vpn-activity-${identity.replace(/[^a-z0-9.@_-]+/gi, "_")}.csv`;
    return new Response(activitiesCsv(db(), identity, query), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${filename}"`,
        "cache-control": "no-store",
      },
    });
  }
  return identityActivities(db(), identity, query);
});
