import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { testDirectoryConnection } from "@/lib/directory/connection";
import { directoryConnection } from "@/lib/directory/settings";
import { validationError } from "@/lib/errors";

/** Tests the saved connection (save first): the answer names each step and what failed, in words. */
export const POST = apiRoute(op.testDirectory, async () => {
  const conn = await directoryConnection(db());
  if (!conn.urls.length || !conn.bindUser) throw validationError("Save a directory URL and a bind user first.");
  return testDirectoryConnection(conn);
});
