import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { dbRead } from "@/lib/db/prisma";
import { identityLocations } from "@/lib/identities/views.ts";
import { movedUnlessPresent } from "@/lib/identities/moved-identity";

export const GET = apiRoute(op.identityLocations, async ({ params, query, req }) => {
  const moved = await movedUnlessPresent(req, params.identity);
  if (moved) return moved;
  const items = await identityLocations(dbRead(), params.identity, query.days);
  return {
    items: items.map((l) => ({
      kind: l.kind,
      countryCode: l.countryCode,
      country: l.country,
      region: l.region,
      city: l.city,
      latitude: l.latitude,
      longitude: l.longitude,
      firstSeen: l.firstSeen,
      lastSeen: l.lastSeen,
      sessions: l.sessions,
      publicIps: l.publicIps,
    })),
  };
});
