import fs from "node:fs";
import { ensurePrismaClient } from "./ensure-prisma-client.mjs";

// `npm run generate` always regenerates.
fs.rmSync(new URL("../lib/generated/prisma/client.ts", import.meta.url), { force: true });
ensurePrismaClient();
console.log("Generated the Prisma client in lib/generated/prisma");
