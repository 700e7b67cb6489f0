import { NextResponse } from "next/server";
import { apiRoute } from "@/lib/api/door";
import { db } from "@/lib/db/prisma";
import { parseInput } from "@/lib/errors";
import { CreateUserSchema, createUser, listUsers } from "@/lib/users";

export const GET = apiRoute("users.manage", async () => ({ items: await listUsers(db()) }));

export const POST = apiRoute("users.manage", async ({ json, actor }) =>
  NextResponse.json(await createUser(db(), parseInput(CreateUserSchema, await json()), await actor()), { status: 201 }),
);
