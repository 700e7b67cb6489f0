import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { endAllSessions } from "@/lib/auth/sessions";
import { db } from "@/lib/db/prisma";
import { AppError } from "@/lib/errors";

/** "Sign out everywhere": ends every portal session of the signed-in user, this one included. */
export const DELETE = apiRoute(op.endAllSessions, async ({ principal, actor }) => {
  if (principal.kind !== "user")
    throw new AppError(
      "forbidden",
      "An API token has no portal sessions: sign in to the portal to sign out everywhere.",
      403,
    );
  const ended = await endAllSessions(db(), principal.id, await actor());
  return { ended };
});
