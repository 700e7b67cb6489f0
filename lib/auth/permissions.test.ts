import { describe, expect, it } from "vitest";
import { PERMISSIONS, can } from "./permissions.ts";

describe("permission map", () => {
  it("lets only admins change settings, secrets, clients, users, tokens and read the audit log", () => {
    for (const p of ["vpn.write", "radiusClients.write", "users.manage", "tokens.manage", "audit.read"] as const) {
      expect([can("admin", p), can("analyst", p), can("viewer", p)], p).toEqual([true, false, false]);
    }
  });

  it("lets analysts triage alerts, and every role read identities, alerts and VPN settings", () => {
    expect([can("admin", "alerts.triage"), can("analyst", "alerts.triage"), can("viewer", "alerts.triage")]).toEqual([
      true,
      true,
      false,
    ]);
    for (const p of ["identities.read", "alerts.read", "vpn.read", "console.view"] as const) {
      expect(PERMISSIONS[p]).toEqual(["admin", "analyst", "viewer"]);
    }
  });
});
