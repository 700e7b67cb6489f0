import { apiRoute } from "@/lib/api/door";
import { idParam } from "@/lib/api/params";
import { db } from "@/lib/db/prisma";
import { parseInput } from "@/lib/errors";
import { UpdateUserSchema, updateUser } from "@/lib/users";

export const PATCH = apiRoute("users.manage", async ({ params, json, actor }) =>
  updateUser(db(), idParam(params), parseInput(UpdateUserSchema, await json()), await actor()),
);
