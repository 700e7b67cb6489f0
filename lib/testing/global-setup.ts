import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { buildSensor } from "../../scripts/build-sensor.mjs";
import { startEmbeddedPostgres } from "../db/embedded-postgres.ts";

declare module "vitest" {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

/**
 * One real PostgreSQL for the whole run: TEST_DATABASE_URL (a server where we
 * may create databases) or an embedded one in a temp dir. Each test file makes its own database.
 */
export default async function setup(project: TestProject) {
  // Tests start the sensor as shipped: compiled once here, reused by every test file.
  await buildSensor();
  process.env.VPNSIGHT_SENSOR_BUILT = "1";
  if (process.env.TEST_DATABASE_URL) {
    project.provide("adminDatabaseUrl", process.env.TEST_DATABASE_URL);
    return;
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-test-"));
  fs.chmodSync(dataDir, 0o755);
  const port = 55000 + Math.floor(Math.random() * 5000);
  const server = await startEmbeddedPostgres({ dataDir, port, database: "postgres" });
  project.provide("adminDatabaseUrl", server.url);
  return async () => {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
