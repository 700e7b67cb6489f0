import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { PrismaClient } from "../generated/prisma/client.ts";
import { hostUrls, primaryPool } from "./failover.ts";

export type Db = PrismaClient;

// pg waits forever by default, to connect and for an answer: a database that hangs (a network
// partition, a stopped server process) would hang every page and API call with it. A query
// still unanswered after a minute is given up (its connection is dropped); no portal or CLI query
// comes near that.
const CONNECT_TIMEOUT_MS = 5_000;
const QUERY_TIMEOUT_MS = 60_000;

export function createPrismaClient(databaseUrl: string, pool: pg.PoolConfig = {}): PrismaClient {
  const config = { connectionTimeoutMillis: CONNECT_TIMEOUT_MS, query_timeout: QUERY_TIMEOUT_MS, ...pool };
  // A host list (a primary and its standbys) gets a pool that follows the primary (lib/db/failover.ts).
  return new PrismaClient({
    adapter: new PrismaPg(
      hostUrls(databaseUrl).length > 1
        ? primaryPool(databaseUrl, config)
        : { connectionString: databaseUrl, ...config },
    ),
  });
}

const holder = globalThis as unknown as { vpnsightPrisma?: PrismaClient; vpnsightPrismaRead?: PrismaClient };

/** The process-wide client for DATABASE_URL (the start script always sets it for the portal). */
export function db(): PrismaClient {
  if (!holder.vpnsightPrisma) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: start the portal with `npm start`.");
    holder.vpnsightPrisma = createPrismaClient(url);
  }
  return holder.vpnsightPrisma;
}

/**
 * For reads that may trail the primary by a moment: the VPN activity pages and their read API (identities, profile,
 * activity, IP and network pages, the overview). DATABASE_READ_URL's streaming replica when set, else db(). Writes,
 * sign-in, settings, alerts and anything that must read its own writes use db().
 */
export function dbRead(): PrismaClient {
  const url = process.env.DATABASE_READ_URL;
  if (!url) return db();
  holder.vpnsightPrismaRead ??= createPrismaClient(url);
  return holder.vpnsightPrismaRead;
}

/** The portal's client as an `Sql` (lib/db/pg.ts), for the modules the detector's plain pg runs too. */
export function prismaSql(client: PrismaClient): import("./pg.ts").Sql {
  return {
    query: async <R extends pg.QueryResultRow>(text: string, params: unknown[] = []) => ({
      rows: await client.$queryRawUnsafe<R[]>(text, ...params),
    }),
  };
}
