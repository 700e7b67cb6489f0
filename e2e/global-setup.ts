import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ANALYST, VIEWER, runCli, startProduct, writeState } from "./product";

export default async function globalSetup() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-e2e-"));
  fs.chmodSync(dataDir, 0o755);
  const logFile = path.join(dataDir, "product.log");
  const pid = await startProduct(dataDir, logFile);
  runCli(dataDir, ["user", "create", "--email", ANALYST.email, "--role", "analyst"], ANALYST.password);
  runCli(dataDir, ["user", "create", "--email", VIEWER.email, "--role", "viewer"], VIEWER.password);
  const lastLine = (out: string) => out.trim().split("\n").at(-1)!;
  const adminToken = lastLine(runCli(dataDir, ["token", "create", "--name", "e2e-admin", "--role", "admin"]));
  const viewerToken = lastLine(runCli(dataDir, ["token", "create", "--name", "e2e-viewer", "--role", "viewer"]));
  writeState({ dataDir, logFile, pid, adminToken, viewerToken });
}
