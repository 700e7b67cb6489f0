import { apiRoute } from "@/lib/api/door";
import { identityParam } from "@/lib/api/params";
import { db } from "@/lib/db/prisma";
import { notFound } from "@/lib/errors";
import { getIdentityProfile } from "@/lib/identities";

export const GET = apiRoute("identities.read", async ({ params }) => {
  const profile = await getIdentityProfile(db(), identityParam(params));
  if (!profile) throw notFound("No such identity.");
  return profile;
});
