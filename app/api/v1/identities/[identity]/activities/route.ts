import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { dbRead } from "@/lib/db/prisma";
import { activitiesCsv, identityActivities } from "@/lib/identities/views.ts";
import { movedUnlessPresent } from "@/lib/identities/moved-identity";

/** JSON pages, or `?format=csv` for the whole filtered timeline (streamed, capped). */
export const GET = apiRoute(op.identityActivities, async ({ params, query, req }) => {
  const { format, ...filters } = query;
  const { identity } = params;
  const moved = await movedUnlessPresent(req, identity);
  if (moved) return moved;
  if (format === "csv") {
    const filename = `vpn-activity-${identity.replace(/[^a-z0-9.@_-]+/gi, "_")}.csv`;
    return new Response(activitiesCsv(dbRead(), identity, filters), {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="${filename}"`,
        "cache-control": "no-store",
      },
    });
  }
  return identityActivities(dbRead(), identity, filters);
});
