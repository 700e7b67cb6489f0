import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { notFound } from "@/lib/errors";
import { getIdentityProfile } from "@/lib/identities/views.ts";

export const GET = apiRoute(op.getIdentity, async ({ params }) => {
  const profile = await getIdentityProfile(db(), params.identity);
  if (!profile) throw notFound("No such identity.");
  return profile;
});
