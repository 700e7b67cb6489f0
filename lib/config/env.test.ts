import { describe, expect, it } from "vitest";
import { readEnv as readEnvOf } from "./env.ts";

const readEnv = (vars: Record<string, string>) => readEnvOf(vars as NodeJS.ProcessEnv);

describe("readEnv", () => {
  it("keeps every VPN record unless RETENTION_DAYS is set", () => {
    expect(readEnv({}).RETENTION_DAYS).toBe(0);
    expect(readEnv({ RETENTION_DAYS: "" }).RETENTION_DAYS).toBe(0);
    expect(readEnv({ RETENTION_DAYS: "180" }).RETENTION_DAYS).toBe(180);
  });

  it("refuses a retention shorter than the history detections compare with, naming the variables", () => {
    expect(() => readEnv({ RETENTION_DAYS: "7" })).toThrow(
      "Invalid configuration:\n  RETENTION_DAYS: must be 0 (keep everything) or at least 30 days, the history detections compare with (DETECTION_WINDOW_DAYS, LEARNING_MIN_DAYS).",
    );
    expect(readEnv({ RETENTION_DAYS: "7", DETECTION_WINDOW_DAYS: "7", LEARNING_MIN_DAYS: "7" }).RETENTION_DAYS).toBe(7);
    expect(() => readEnv({ RETENTION_DAYS: "-1" })).toThrow(/RETENTION_DAYS: Too small/);
    expect(() => readEnv({ PORT: "http" })).toThrow(/PORT: /);
  });
});
