import { describe, expect, it } from "vitest";
import { RestartBackoff } from "./restart-delay.ts";

describe("the restart policy", () => {
  it("waits longer while a thing keeps failing, up to 10 s, and starts over after a healthy run or a restart that held", () => {
    const backoff = new RestartBackoff();
    expect([1, 2, 3, 4, 5].map(() => backoff.next(100))).toEqual([1000, 2000, 5000, 10000, 10000]);
    expect(backoff.next(5 * 60_000)).toBe(1000); // it had run for five minutes: not a crash loop
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(1000);
  });
});
