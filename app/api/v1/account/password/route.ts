import { apiRoute } from "@/lib/api/door";
import { db } from "@/lib/db/prisma";
import { AppError, parseInput } from "@/lib/errors";
import { ChangePasswordSchema, changeOwnPassword } from "@/lib/users";

/** The signed-in user's own password; every session signed in before ends (sign in again). */
export const POST = apiRoute("account.manage", async ({ principal, json, actor }) => {
  if (principal.kind !== "user")
    throw new AppError("forbidden", "An API token has no password: sign in to the portal to change yours.", 403);
  await changeOwnPassword(db(), principal.id, parseInput(ChangePasswordSchema, await json()), await actor());
  return new Response(null, { status: 204 });
});
