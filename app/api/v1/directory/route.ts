import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { getDirectorySettings, updateDirectorySettings } from "@/lib/directory/settings";

export const GET = apiRoute(op.getDirectory, async () => getDirectorySettings(db()));

export const PUT = apiRoute(op.putDirectory, async ({ body, actor }) =>
  updateDirectorySettings(db(), body, await actor()),
);
