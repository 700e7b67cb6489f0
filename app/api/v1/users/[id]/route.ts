import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { updateUser } from "@/lib/auth/users.ts";

export const PATCH = apiRoute(op.updateUser, async ({ params, body, actor }) =>
  updateUser(db(), params.id, body, await actor()),
);
