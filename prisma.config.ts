import { defineConfig } from "prisma/config";

// The runtime connects through @prisma/adapter-pg (lib/db/prisma.ts); this file
// only serves the Prisma CLI (generate/validate need no database).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/unused" },
});
