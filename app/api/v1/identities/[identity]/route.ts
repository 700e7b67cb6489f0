import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { notFound } from "@/lib/errors";
import { getIdentityProfile } from "@/lib/identities/views.ts";
import { movedIdentityResponse } from "@/lib/identities/moved-identity";

export const GET = apiRoute(op.getIdentity, async ({ params, req }) => {
  const profile = await getIdentityProfile(db(), params.identity);
  if (profile) return profile;
  const moved = await movedIdentityResponse(req, params.identity);
  if (moved) return moved;
  throw notFound("No such identity.");
});
