import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { dbRead } from "@/lib/db/prisma";
import { listIdentities } from "@/lib/identities/views.ts";

export const GET = apiRoute(op.listIdentities, async ({ query }) => listIdentities(dbRead(), query));
