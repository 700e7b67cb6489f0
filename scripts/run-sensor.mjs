// `npm run sensor`: builds the sensor and runs it with its Node flags (scripts/build-sensor.mjs).
// Signals go to the sensor, which flushes and answers what it holds before it exits.
import { spawn } from "node:child_process";
import { SENSOR_NODE_FLAGS, buildSensor } from "./build-sensor.mjs";

const child = spawn(process.execPath, [...SENSOR_NODE_FLAGS, await buildSensor()], { stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
