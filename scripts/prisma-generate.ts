// Runs `prisma generate` offline: Prisma insists on a schema-engine path even
// though generate never runs it, so point it at any existing file.
import { spawnSync } from "node:child_process";

const result = spawnSync("node_modules/.bin/prisma", ["generate"], {
  stdio: ["ignore", "inherit", "inherit"],
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? "/bin/false",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
  },
});
process.exit(result.status ?? 1);
