// The portal benchmarks' database: an embedded PostgreSQL in a data directory kept between runs (seeding takes
// minutes), with its key, the CONTOSO domain mapping the seed's names need, and a signed-in admin.
import fs from "node:fs";
import pg from "pg";
import { readEnv } from "../lib/config/env.ts";
import { loadSecretKey } from "../lib/secrets/secret-box.ts";
import { bootstrapDatabase } from "../lib/runtime/bootstrap.ts";
import { startEmbeddedPostgres } from "../lib/db/embedded-postgres.ts";
import { migrateDatabase } from "../lib/db/migrator.ts";
import { createPrismaClient } from "../lib/db/prisma.ts";
import { addDomainMapping, DomainMappingSchema } from "../lib/identities/aliases.ts";
import { createUser, CreateUserSchema } from "../lib/auth/users.ts";
import { parseInput } from "../lib/errors.ts";

export const BENCH_ADMIN = { email: "bench@localhost", password: "bench-password-0001" };

export async function openBenchDatabase(dataDir: string, pgPort: number) {
  fs.mkdirSync(dataDir, { recursive: true });
  fs.chmodSync(dataDir, 0o755);
  // The data directory is reused across runs, and so is its key (dataDir/secret.key).
  const key = loadSecretKey(dataDir, process.env.VPNSIGHT_SECRET_KEY);
  process.env.VPNSIGHT_SECRET_KEY = key.toString("base64");
  // BENCH_PG_FLAGS: server settings for the run, e.g. "-c shared_buffers=4GB" (a site's own server is tuned so).
  const database = await startEmbeddedPostgres({
    dataDir,
    port: pgPort,
    flags: process.env.BENCH_PG_FLAGS?.split(" ").filter(Boolean),
  });
  const env = readEnv({ ...process.env, DATABASE_URL: database.url, VPNSIGHT_DATA_DIR: dataDir });
  await bootstrapDatabase({ env, migrate: "always", key });
  const prisma = createPrismaClient(database.url);
  try {
    // The seed sends every third user as CONTOSO\userN; mapped as an admin would, so all are userN@contoso.com.
    if (!(await prisma.domainMapping.findUnique({ where: { netbiosDomain: "contoso" } })))
      await addDomainMapping(
        prisma,
        parseInput(DomainMappingSchema, { netbiosDomain: "CONTOSO", upnSuffix: "contoso.com" }),
        { label: "bench" },
      );
    if (!(await prisma.user.findUnique({ where: { email: BENCH_ADMIN.email } })))
      await createUser(prisma, parseInput(CreateUserSchema, { ...BENCH_ADMIN, role: "admin" }), { label: "bench" });
  } finally {
    await prisma.$disconnect();
  }
  return database;
}

/** A new, migrated database `name` on the server of `serverUrl` (one left by an earlier run is dropped first); its URL. */
export async function freshDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  return url.toString();
}
