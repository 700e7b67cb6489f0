import { describe, expect, it } from "vitest";
import { syncDue } from "./schedule.ts";

describe("the directory sync schedule", () => {
  const now = new Date("2026-11-29T12:00:00Z");
  const facts = { enabled: true, syncIntervalMinutes: 15, lastSyncAt: new Date("2026-11-29T11:50:00Z") };
  it("is due once the interval has passed since the last sync started, and never while off", () => {
    expect(syncDue(facts, now)).toBe(false);
    expect(syncDue({ ...facts, lastSyncAt: new Date("2026-11-29T11:45:00Z") }, now)).toBe(true);
    expect(syncDue({ ...facts, syncIntervalMinutes: 5 }, now)).toBe(true);
    expect(syncDue({ ...facts, lastSyncAt: null }, now)).toBe(true);
    expect(syncDue({ ...facts, lastSyncAt: null, enabled: false }, now)).toBe(false);
  });
});
