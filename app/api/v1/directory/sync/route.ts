import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { getDirectorySettings } from "@/lib/directory/settings";
import { syncDirectory } from "@/lib/directory/sync";
import { validationError } from "@/lib/errors";

/** Sync now: answers when the sync is done, with its outcome (a failure is in `error`, and changed nothing). */
export const POST = apiRoute(op.syncDirectory, async () => {
  const settings = await getDirectorySettings(db());
  if (!settings.enabled) throw validationError("Enable the directory and save its connection first.");
  return syncDirectory(db(), { mode: "full" });
});
