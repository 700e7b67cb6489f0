// Generates the Prisma client when it is missing or older than the schema, so a
// fresh clone works after `npm ci` alone (no install hook needed).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export function ensurePrismaClient({ force = false } = {}) {
  const schema = path.join(root, "prisma", "schema.prisma");
  const outDir = path.join(root, "lib", "generated", "prisma");
  const client = path.join(outDir, "client.ts");
  if (!force && fs.existsSync(client) && fs.statSync(client).mtimeMs >= fs.statSync(schema).mtimeMs) return;
  // Prisma refuses to write into a directory it does not recognise (e.g. half-generated).
  fs.rmSync(outDir, { recursive: true, force: true });
  const result = spawnSync(path.join(root, "node_modules", ".bin", "prisma"), ["generate"], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      // Prisma wants a schema-engine path even though generate never runs it.
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? "/bin/false",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      CHECKPOINT_DISABLE: "1",
    },
  });
  if (result.status !== 0) throw new Error("prisma generate failed");
}
