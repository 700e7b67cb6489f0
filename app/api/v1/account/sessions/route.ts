import { apiRoute } from "@/lib/api/door";
import { endAllSessions } from "@/lib/auth/sessions";
import { db } from "@/lib/db/prisma";
import { AppError } from "@/lib/errors";

/** "Sign out everywhere": ends every portal session of the signed-in user, this one included. */
export const DELETE = apiRoute("account.manage", async ({ principal, actor }) => {
  if (principal.kind !== "user")
    throw new AppError(
      "forbidden",
      "An API token has no portal sessions: sign in to the portal to sign out everywhere.",
      403,
    );
  const ended = await endAllSessions(db(), principal.id, await actor());
  return { ended };
});
