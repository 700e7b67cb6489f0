import fs from "node:fs";
import { readState, stopProduct } from "./product";

export default async function globalTeardown() {
  const state = readState();
  await stopProduct(state.pid);
  if (!process.env.E2E_KEEP_DATA) fs.rmSync(state.dataDir, { recursive: true, force: true });
}
