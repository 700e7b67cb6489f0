import { apiRoute } from "@/lib/api/door";
import { db } from "@/lib/db/prisma";
import { parseInput } from "@/lib/errors";
import { IdentityListQuerySchema, listIdentities } from "@/lib/identities";

export const GET = apiRoute("identities.read", async ({ req }) =>
  listIdentities(db(), parseInput(IdentityListQuerySchema, Object.fromEntries(new URL(req.url).searchParams))),
);
