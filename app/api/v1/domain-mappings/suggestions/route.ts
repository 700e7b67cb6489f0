import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { unmappedDomains } from "@/lib/identities/aliases.ts";

export const GET = apiRoute(op.suggestDomainMappings, async () => ({ items: await unmappedDomains(db()) }));
