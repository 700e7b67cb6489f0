#!/usr/bin/env node
// Entry of the `vpnsight` CLI: make sure the Prisma client exists, then run the TypeScript CLI through tsx.
import { register } from "tsx/esm/api";
import { ensurePrismaClient } from "../scripts/ensure-prisma-client.mjs";

ensurePrismaClient();
register();
await import("../cli/main.ts");
