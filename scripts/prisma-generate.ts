import { ensurePrismaClient } from "./ensure-prisma-client.mjs";

// `npm run generate` always regenerates.
ensurePrismaClient({ force: true });
console.log("Generated the Prisma client in lib/generated/prisma");
