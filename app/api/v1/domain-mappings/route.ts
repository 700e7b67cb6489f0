import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { addDomainMapping, listIdentityMappings } from "@/lib/identities/aliases.ts";

export const GET = apiRoute(op.listDomainMappings, async () => ({ items: (await listIdentityMappings(db())).domains }));

export const POST = apiRoute(op.addDomainMapping, async ({ body, actor }) =>
  NextResponse.json(await addDomainMapping(db(), body, await actor()), { status: 201 }),
);
