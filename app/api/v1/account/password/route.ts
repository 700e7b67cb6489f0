import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { AppError } from "@/lib/errors";
import { changeOwnPassword } from "@/lib/auth/users.ts";

/** The signed-in user's own password; every session signed in before ends (sign in again). */
export const POST = apiRoute(op.changeOwnPassword, async ({ principal, body, actor }) => {
  if (principal.kind !== "user")
    throw new AppError("forbidden", "An API token has no password: sign in to the portal to change yours.", 403);
  await changeOwnPassword(db(), principal.id, body, await actor());
  return new Response(null, { status: 204 });
});
