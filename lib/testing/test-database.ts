import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { migrateDatabase } from "../db/migrator.ts";
import { createPrismaClient, type Db } from "../db/prisma.ts";

export interface TestDatabase {
  url: string;
  db: Db;
  /** A pg pool on it, for the sensor's store and plain SQL; ended by drop(). */
  pool: pg.Pool;
  /** Runs SQL as a plain pg client (for checks Prisma would hide). */
  query<T extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

export function databaseUrlFor(name: string): string {
  const url = new URL(inject("adminDatabaseUrl"));
  url.pathname = `/${name}`;
  return url.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject("adminDatabaseUrl") });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database on the test server; migrated unless `migrate: false`. */
export async function createTestDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const name = `test_${randomBytes(6).toString("hex")}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  const url = databaseUrlFor(name);
  if (opts.migrate !== false) await migrateDatabase(url);
  const db = createPrismaClient(url);
  const pool = new pg.Pool({ connectionString: url });
  pool.on("error", () => {}); // an idle connection ended by the server surfaces in the next query instead
  return {
    url,
    db,
    pool,
    async query(sql, params) {
      return (await pool.query(sql, params as unknown[])).rows;
    },
    async drop() {
      await db.$disconnect();
      await pool.end();
      await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
