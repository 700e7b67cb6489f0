// Compiles the sensor, its detector and the directory sync to plain JavaScript (.build/sensor/*.mjs): the
// running sensor then needs no TypeScript loader (less memory, no loader thread).
// esbuild bundles our own modules only; packages stay in node_modules.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import esbuild from "esbuild";
import { buildNetworkIndex } from "./build-network-index.mjs";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const SENSOR_BUILD_DIR = path.join(root, ".build", "sensor");

/**
 * Node flags every launch of the sensor uses (npm start, npm run sensor, tests, bench). Its live heap
 * is 10 – 30 MB; without a cap V8 let the heap grow to about 175 MB RSS with 1,024 requests
 * outstanding, with these it stays near 120 MB at the same throughput (bench/README.md).
 */
export const SENSOR_NODE_FLAGS = ["--max-semi-space-size=8", "--max-old-space-size=128"];

export async function buildSensor() {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: ["sensor/main.ts", "sensor/detector.ts", "sensor/directory-sync.ts"],
    outdir: SENSOR_BUILD_DIR,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
  });
  // The network-owner index the sensor loads (once per dataset version).
  await buildNetworkIndex();
  // The RADIUS dictionaries are read at run time, next to the code.
  fs.cpSync(path.join(root, "sensor", "dictionaries"), path.join(SENSOR_BUILD_DIR, "dictionaries"), {
    recursive: true,
  });
  return path.join(SENSOR_BUILD_DIR, "main.mjs");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildSensor();
