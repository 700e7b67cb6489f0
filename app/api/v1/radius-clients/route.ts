import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/api/door";
import { db } from "@/lib/db/prisma";
import { createRadiusClient, listRadiusClients } from "@/lib/radius-clients";

export const GET = apiRoute("radiusClients.read", async () => ({ items: await listRadiusClients(db()) }));

export const POST = apiRoute("radiusClients.write", async ({ json, actor }) =>
  NextResponse.json(await createRadiusClient(db(), await json(), await actor()), { status: 201 }),
);
