import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.ts";

export type Db = PrismaClient;

// pg waits forever for a connection by default: a database that hangs would hang every page.
const CONNECT_TIMEOUT_MS = 5_000;

export function createPrismaClient(databaseUrl: string, pool: { connectionTimeoutMillis?: number } = {}): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, ...pool }) });
}

const holder = globalThis as unknown as { vpnsightPrisma?: PrismaClient };

/** The process-wide client for DATABASE_URL (the start script always sets it for the portal). */
export function db(): PrismaClient {
  if (!holder.vpnsightPrisma) {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set: start the portal with `npm start`.");
    holder.vpnsightPrisma = createPrismaClient(url);
  }
  return holder.vpnsightPrisma;
}
