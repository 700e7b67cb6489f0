import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { createRadiusClient, listRadiusClients } from "@/lib/radius/radius-clients.ts";

export const GET = apiRoute(op.listRadiusClients, async () => ({ items: await listRadiusClients(db()) }));

export const POST = apiRoute(op.createRadiusClient, async ({ body, actor }) =>
  NextResponse.json(await createRadiusClient(db(), body, await actor()), { status: 201 }),
);
