import { apiRoute } from "@/lib/api/door";
import { identityParam } from "@/lib/api/params";
import { db } from "@/lib/db/prisma";
import { parseInput } from "@/lib/errors";
import { LocationsQuerySchema, identityLocations } from "@/lib/identities";

export const GET = apiRoute("identities.read", async ({ req, params }) => {
  const { days } = parseInput(LocationsQuerySchema, Object.fromEntries(new URL(req.url).searchParams));
  const items = await identityLocations(db(), identityParam(params), days);
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
