// One scheduled directory sync (lib/directory/sync.ts), run by the detector as a child process of its own: LDAP and
// the accounts' memory are gone when it exits, and it inherits the detector's low priority. Prints the outcome as
// one JSON line.
import { readEnv } from "../lib/config/env.ts";
import { createPrismaClient } from "../lib/db/prisma.ts";
import { syncDirectory } from "../lib/directory/sync.ts";

const env = readEnv();
if (!env.DATABASE_URL) throw new Error("the directory sync needs DATABASE_URL (the detector passes it)");
const db = createPrismaClient(env.DATABASE_URL, { max: 2 });
try {
  process.stdout.write(JSON.stringify(await syncDirectory(db)) + "\n");
} finally {
  await db.$disconnect();
}
