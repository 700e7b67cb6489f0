import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { createExclusion, listExclusions } from "@/lib/alerts/exclusions.ts";

export const GET = apiRoute(op.listExclusions, async () => listExclusions(db()));

export const POST = apiRoute(op.createExclusion, async ({ body, actor }) =>
  NextResponse.json(await createExclusion(db(), body, await actor()), { status: 201 }),
);
