import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.ts";

export type Db = PrismaClient;

export function createPrismaClient(databaseUrl: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
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
