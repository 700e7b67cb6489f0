import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { primaryUrl } from "./failover.ts";
import { applyRoleGrants } from "./roles.ts";

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

// Prisma Migrate's own advisory lock key, so our migrator and Prisma's exclude each other.
const ADVISORY_LOCK_KEY = 72707369;

export class MigrationError extends Error {
  override name = "MigrationError";
}

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

/** Prisma's layout: <dir>/<timestamp>_<name>/migration.sql, applied in name order. */
export function readMigrationFiles(dir = MIGRATIONS_DIR): MigrationFile[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(dir, e.name, "migration.sql")))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const bytes = fs.readFileSync(path.join(dir, name, "migration.sql"));
      return { name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
    });
}

// The table exactly as Prisma Migrate creates it, so `prisma migrate status` reads our history.
const CREATE_HISTORY_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

/**
 * Applies pending migrations under one advisory lock, each in its own
 * transaction, and refuses to run when an applied migration's file changed.
 */
export async function migrateDatabase(
  databaseUrl: string,
  opts: { dir?: string; log?: (line: string) => void } = {},
): Promise<{ applied: string[] }> {
  const files = readMigrationFiles(opts.dir);
  const client = new pg.Client({ connectionString: await primaryUrl(databaseUrl) });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [ADVISORY_LOCK_KEY]);
    // A least-privilege role (lib/db/roles.ts) may check the history but not create it.
    const { rows: history } = await client.query<{ exists: boolean }>(
      `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS exists`,
    );
    if (!history[0]!.exists) await client.query(CREATE_HISTORY_TABLE);
    const { rows } = await client.query<HistoryRow>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL ORDER BY started_at`,
    );
    const byName = new Map(files.map((f) => [f.name, f]));
    for (const row of rows) {
      const file = byName.get(row.migration_name);
      if (!row.finished_at) {
        throw new MigrationError(
          `Migration ${row.migration_name} started but did not finish. Inspect the database, then mark it rolled back in "_prisma_migrations".`,
        );
      }
      if (!file) {
        throw new MigrationError(`Migration ${row.migration_name} is applied in the database but its file is missing.`);
      }
      if (file.checksum !== row.checksum) {
        throw new MigrationError(
          `Migration ${row.migration_name} was modified after it was applied (checksum ${row.checksum.slice(0, 12)}… in the database, ${file.checksum.slice(0, 12)}… on disk). Restore the file and put the change in a new migration.`,
        );
      }
    }
    const appliedNames = new Set(rows.map((r) => r.migration_name));
    const applied: string[] = [];
    for (const file of files.filter((f) => !appliedNames.has(f.name))) {
      await client.query("BEGIN");
      try {
        const id = randomUUID();
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())`,
          [id, file.checksum, file.name],
        );
        await client.query(file.sql);
        await client.query(
          `UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`,
          [id],
        );
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        const hint =
          (err as { code?: string }).code === "42501"
            ? ". This role may not change the schema: set MIGRATION_DATABASE_URL to the tables' owner"
            : "";
        throw new MigrationError(`Migration ${file.name} failed and was rolled back: ${(err as Error).message}${hint}`);
      }
      opts.log?.(`Applied migration ${file.name}`);
      applied.push(file.name);
    }
    // New tables get the least-privilege roles' grants (when the site created those roles).
    if (applied.length) await applyRoleGrants(client);
    return { applied };
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [ADVISORY_LOCK_KEY]).catch(() => {});
    await client.end();
  }
}
