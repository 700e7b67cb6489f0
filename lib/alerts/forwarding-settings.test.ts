// The forwarding settings (lib/alerts/forwarding-settings.ts); delivery itself is lib/alerts/delivery.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ForwardingSettingsSchema, updateForwardingSettings } from "./forwarding-settings.ts";
import { parseInput } from "../errors.ts";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";

let t: TestDatabase;
const admin = { label: "user:admin@contoso.com" };
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

describe("forwarding settings", () => {
  it("validates settings with clear messages", async () => {
    await expect(async () =>
      updateForwardingSettings(
        t.db,
        parseInput(ForwardingSettingsSchema, { syslogEnabled: true, webhookEnabled: false }),
        admin,
      ),
    ).rejects.toThrow("Syslog forwarding needs a host and a port.");
    await expect(async () =>
      updateForwardingSettings(
        t.db,
        parseInput(ForwardingSettingsSchema, { syslogEnabled: false, webhookEnabled: true, webhookUrl: "ftp://x" }),
        admin,
      ),
    ).rejects.toThrow(/http\(s\) URL/);
  });
});
