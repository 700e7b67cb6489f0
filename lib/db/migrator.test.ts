import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import { MIGRATIONS_DIR, MigrationError, migrateDatabase, readMigrationFiles } from "./migrator.ts";

let database: TestDatabase | undefined;
afterEach(async () => database?.drop());

function copyMigrations(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-migrations-"));
  fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

describe("migrator", () => {
  it("applies every migration once and records Prisma-compatible history with sha256 checksums", async () => {
    database = await createTestDatabase({ migrate: false });
    const first = await migrateDatabase(database.url);
    const files = readMigrationFiles();
    expect(first.applied).toEqual(files.map((f) => f.name));
    const rows = await database.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
    }>(
      `SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    for (const [i, file] of files.entries()) {
      const sha = createHash("sha256")
        .update(fs.readFileSync(path.join(MIGRATIONS_DIR, file.name, "migration.sql")))
        .digest("hex");
      expect(rows[i]).toMatchObject({ migration_name: file.name, checksum: sha, applied_steps_count: 1 });
      expect(rows[i]!.finished_at).toBeInstanceOf(Date);
    }
    expect((await migrateDatabase(database.url)).applied).toEqual([]);
  });

  it("runs concurrent migrators under one lock: each migration is applied exactly once", async () => {
    database = await createTestDatabase({ migrate: false });
    const results = await Promise.all([
      migrateDatabase(database.url),
      migrateDatabase(database.url),
      migrateDatabase(database.url),
    ]);
    expect(results.flatMap((r) => r.applied)).toEqual(readMigrationFiles().map((f) => f.name));
    const [{ count }] = (await database.query<{ count: string }>(`SELECT count(*) FROM "_prisma_migrations"`)) as [
      { count: string },
    ];
    expect(Number(count)).toBe(readMigrationFiles().length);
  });

  it("refuses to run when an applied migration's file changed", async () => {
    database = await createTestDatabase({ migrate: false });
    const dir = copyMigrations();
    await migrateDatabase(database.url, { dir });
    const first = readMigrationFiles(dir)[0]!;
    fs.appendFileSync(path.join(dir, first.name, "migration.sql"), "\n-- edited after the fact\n");
    await expect(migrateDatabase(database.url, { dir })).rejects.toThrow(MigrationError);
    await expect(migrateDatabase(database.url, { dir })).rejects.toThrow(/was modified after it was applied/);
  });

  it("rolls back a failing migration entirely and records nothing for it", async () => {
    database = await createTestDatabase({ migrate: false });
    const dir = copyMigrations();
    const bad = path.join(dir, "29991231000000_broken");
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, "migration.sql"), `CREATE TABLE "Half" (id int);\nSELECT no_such_function();\n`);
    await expect(migrateDatabase(database.url, { dir })).rejects.toThrow(
      /29991231000000_broken failed and was rolled back/,
    );
    const half = await database.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'Half'`);
    expect(half).toHaveLength(0);
    const history = await database.query(
      `SELECT 1 FROM "_prisma_migrations" WHERE migration_name = '29991231000000_broken'`,
    );
    expect(history).toHaveLength(0);
  });
});
