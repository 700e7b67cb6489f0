import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/api/door";
import { db } from "@/lib/db/prisma";
import { addDomainMapping, listIdentityMappings } from "@/lib/identity-aliases";

export const GET = apiRoute("identities.read", async () => ({ items: (await listIdentityMappings(db())).domains }));

export const POST = apiRoute("identities.manage", async ({ json, actor }) =>
  NextResponse.json(await addDomainMapping(db(), await json(), await actor()), { status: 201 }),
);
