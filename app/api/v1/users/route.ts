import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { createUser, listUsers } from "@/lib/auth/users.ts";

export const GET = apiRoute(op.listUsers, async () => ({ items: await listUsers(db()) }));

export const POST = apiRoute(op.createUser, async ({ body, actor }) =>
  NextResponse.json(await createUser(db(), body, await actor()), { status: 201 }),
);
