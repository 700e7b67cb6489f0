import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { previewIdentityAlias } from "@/lib/identities/aliases.ts";

export const GET = apiRoute(op.previewIdentityAlias, async ({ query }) => previewIdentityAlias(db(), query));
