import { describe, expect, it } from "vitest";
import { credentialUrlFor, maskUrl } from "./credential-display.ts";

describe("credential display", () => {
  it("keeps the scheme and host of a URL and hides its path, query and user info", () => {
    expect(maskUrl("https://hooks.slack.com/services/T0/B0/XyZ?x=1")).toBe("https://hooks.slack.com/•••");
    expect(maskUrl("http://user:pass@siem.example:8443/ingest")).toBe("http://siem.example:8443/•••");
    expect(maskUrl("not a url")).toBe("•••");
  });

  it("shows the value whole only to whoever may change it", () => {
    expect(credentialUrlFor("https://h.example/t0k3n", true)).toBe("https://h.example/t0k3n");
    expect(credentialUrlFor("https://h.example/t0k3n", false)).toBe("https://h.example/•••");
    expect(credentialUrlFor(null, false)).toBeNull();
  });
});
