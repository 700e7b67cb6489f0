import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import { AppError, parseInput } from "../errors.ts";
import { SECRET_PURPOSE, unseal } from "../secrets/seal.ts";
import { getVpnSettings, updateVpnSettings, VpnSettingsUpdateSchema } from "./vpn-settings.ts";
import { generateSharedSecret } from "../secrets/shared-secret.ts";

let t: TestDatabase;
const admin = { label: "user:admin@example.com", sourceIp: "192.0.2.1" };
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());
beforeEach(async () => {
  await t.db.vpnSettings.deleteMany();
  await t.db.auditEntry.deleteMany();
});

const rejectMessage = async (input: unknown) => {
  const err = await (async () => updateVpnSettings(t.db, parseInput(VpnSettingsUpdateSchema, input), admin))().catch(
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).status).toBe(400);
  return (err as AppError).message;
};

describe("VPN settings", () => {
  it("starts disabled with no secret", async () => {
    expect(await getVpnSettings(t.db)).toMatchObject({
      enabled: false,
      secretConfigured: false,
      secretUpdatedAt: null,
      port: 1813,
    });
  });

  it("needs a secret to enable, and validates the secret with clear messages", async () => {
    expect(await rejectMessage({ enabled: true })).toBe("Enter a shared secret to enable radius accounting.");
    expect(await rejectMessage({ enabled: true, sharedSecret: "short" })).toMatch(/at least 16 characters/);
    expect(await rejectMessage({ enabled: true, sharedSecret: "x".repeat(129) })).toMatch(/at most 128/);
    expect(await rejectMessage({ enabled: true, sharedSecret: " leading-space-secret" })).toMatch(
      /cannot start or end with a space/,
    );
    expect(await rejectMessage({ enabled: true, sharedSecret: "secret-with-ünicode-123" })).toMatch(/printable ASCII/);
    expect(await rejectMessage({ enabled: "yes" })).toMatch(/enabled must be true or false/);
    expect(await rejectMessage({ enabled: true, sharedSecret: "abcdefghijklmnop", rotationGraceHours: 169 })).toMatch(
      /0 to 168/,
    );
    expect(await getVpnSettings(t.db)).toMatchObject({ enabled: false, secretConfigured: false });
  });

  it("stores the secret sealed, reports who configured it, and audits without the value", async () => {
    const secret = generateSharedSecret();
    const view = await updateVpnSettings(
      t.db,
      parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: secret }),
      admin,
    );
    expect(view).toMatchObject({ enabled: true, secretConfigured: true, secretUpdatedBy: admin.label });
    expect(JSON.stringify(view)).not.toContain(secret);
    const row = await t.db.vpnSettings.findUniqueOrThrow({ where: { id: 1 } });
    expect(row.secretSealed).not.toContain(secret);
    expect(unseal(row.secretSealed!, SECRET_PURPOSE.vpnSharedSecret)).toBe(secret);
    const dump =
      JSON.stringify(await t.query(`SELECT * FROM "VpnSettings"`)) +
      JSON.stringify(await t.query(`SELECT * FROM "AuditEntry"`));
    expect(dump).not.toContain(secret);
    const audit = await t.db.auditEntry.findMany();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: admin.label, action: "vpn.update", sourceIp: "192.0.2.1" });
    expect(audit[0]!.changes).toEqual({ enabled: { from: false, to: true }, sharedSecret: "set" });
  });

  it("keeps the previous secret valid for the grace period when rotating", async () => {
    await updateVpnSettings(
      t.db,
      parseInput(VpnSettingsUpdateSchema, {
        enabled: true,
        sharedSecret: "first-secret-0000001",
        rotationGraceHours: 6,
      }),
      admin,
    );
    const before = Date.now();
    const view = await updateVpnSettings(
      t.db,
      parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: "second-secret-000002" }),
      admin,
    );
    const expires = view.previousSecretExpiresAt!.getTime();
    expect(expires).toBeGreaterThanOrEqual(before + 6 * 3600_000 - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 6 * 3600_000);
    const row = await t.db.vpnSettings.findUniqueOrThrow({ where: { id: 1 } });
    expect(unseal(row.previousSecretSealed!, SECRET_PURPOSE.vpnSharedSecret)).toBe("first-secret-0000001");
    expect(unseal(row.secretSealed!, SECRET_PURPOSE.vpnSharedSecret)).toBe("second-secret-000002");
  });

  it("drops the previous secret at once with a 0 h grace period, and ignores re-saving the same secret", async () => {
    await updateVpnSettings(
      t.db,
      parseInput(VpnSettingsUpdateSchema, {
        enabled: true,
        sharedSecret: "first-secret-0000001",
        rotationGraceHours: 0,
      }),
      admin,
    );
    await updateVpnSettings(
      t.db,
      parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: "first-secret-0000001" }),
      admin,
    );
    expect(await t.db.auditEntry.count()).toBe(1);
    const view = await updateVpnSettings(
      t.db,
      parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: "second-secret-000002" }),
      admin,
    );
    expect(view.previousSecretExpiresAt).toBeNull();
    expect((await t.db.vpnSettings.findUniqueOrThrow({ where: { id: 1 } })).previousSecretSealed).toBeNull();
  });

  it("disabling keeps the secret, and re-enabling needs none", async () => {
    await updateVpnSettings(
      t.db,
      parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: "first-secret-0000001" }),
      admin,
    );
    expect(await updateVpnSettings(t.db, parseInput(VpnSettingsUpdateSchema, { enabled: false }), admin)).toMatchObject(
      {
        enabled: false,
        secretConfigured: true,
      },
    );
    expect(await updateVpnSettings(t.db, parseInput(VpnSettingsUpdateSchema, { enabled: true }), admin)).toMatchObject({
      enabled: true,
      secretConfigured: true,
    });
  });

  it("notifies listeners (the sensor) when settings change", async () => {
    const pg = (await import("pg")).default;
    const listener = new pg.Client({ connectionString: t.url });
    await listener.connect();
    const received = new Promise<string>((resolve) =>
      listener.on("notification", (n) => resolve(`${n.channel}:${n.payload}`)),
    );
    await listener.query("LISTEN vpnsight_config");
    await updateVpnSettings(
      t.db,
      parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: "first-secret-0000001" }),
      admin,
    );
    expect(await received).toBe("vpnsight_config:vpn");
    await listener.end();
  });
});
