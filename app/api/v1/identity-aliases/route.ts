import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { addIdentityAlias, listIdentityMappings } from "@/lib/identities/aliases.ts";

export const GET = apiRoute(op.listIdentityAliases, async () => ({
  items: (await listIdentityMappings(db())).aliases,
}));

export const POST = apiRoute(op.addIdentityAlias, async ({ body, actor }) =>
  NextResponse.json(await addIdentityAlias(db(), body, await actor()), { status: 201 }),
);
