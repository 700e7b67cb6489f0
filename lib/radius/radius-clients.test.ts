import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import {
  createRadiusClient,
  deleteRadiusClient,
  listRadiusClients,
  updateRadiusClient,
  CreateRadiusClientSchema,
  UpdateRadiusClientSchema,
} from "./radius-clients.ts";
import { SECRET_PURPOSE, unseal } from "../secrets/seal.ts";
import { parseInput } from "../errors.ts";

let t: TestDatabase;
const actor = { label: "user:admin@example.com" };
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());
beforeEach(async () => {
  await t.db.radiusClient.deleteMany();
  await t.db.auditEntry.deleteMany();
});

describe("RADIUS clients", () => {
  it("validates name, address and vendor with clear messages", async () => {
    await expect(async () =>
      createRadiusClient(t.db, parseInput(CreateRadiusClientSchema, { name: "asa", address: "not-an-ip" }), actor),
    ).rejects.toThrow(/IP address or CIDR/);
    await expect(async () =>
      createRadiusClient(t.db, parseInput(CreateRadiusClientSchema, { name: "asa", address: "10.0.0.0/33" }), actor),
    ).rejects.toThrow(/IP address or CIDR/);
    await expect(async () =>
      createRadiusClient(
        t.db,
        parseInput(CreateRadiusClientSchema, { name: "asa", address: "10.0.0.1", vendor: "juniper" }),
        actor,
      ),
    ).rejects.toThrow("Vendor must be microsoft, f5, checkpoint, cisco-asa or other.");
    await expect(async () =>
      createRadiusClient(t.db, parseInput(CreateRadiusClientSchema, { name: "", address: "10.0.0.1" }), actor),
    ).rejects.toThrow(/name/);
    await expect(async () =>
      createRadiusClient(
        t.db,
        parseInput(CreateRadiusClientSchema, { name: "asa", address: "10.0.0.1", sharedSecret: "short" }),
        actor,
      ),
    ).rejects.toThrow(/16 characters/);
    // A missing or mistyped field is named (not zod's "Invalid input: expected string, received undefined").
    await expect(async () =>
      createRadiusClient(t.db, parseInput(CreateRadiusClientSchema, { name: "asa" }), actor),
    ).rejects.toThrow(/^address is required\.$/);
    await expect(async () =>
      createRadiusClient(t.db, parseInput(CreateRadiusClientSchema, { name: 42, address: "10.0.0.1" }), actor),
    ).rejects.toThrow(/^name must be a string\.$/);
    expect(await listRadiusClients(t.db)).toEqual([]);
  });

  it("creates clients with an own sealed secret, lists them without it, and refuses duplicate names", async () => {
    const created = await createRadiusClient(
      t.db,
      parseInput(CreateRadiusClientSchema, {
        name: "Paris ASA",
        address: " 2001:DB8::/32 ",
        vendor: "cisco-asa",
        requireMessageAuthenticator: true,
        sharedSecret: "client-secret-00001",
      }),
      actor,
    );
    expect(created).toMatchObject({
      name: "Paris ASA",
      address: "2001:db8::/32",
      vendor: "cisco-asa",
      ownSecretConfigured: true,
      requireMessageAuthenticator: true,
    });
    expect(JSON.stringify(await listRadiusClients(t.db))).not.toContain("client-secret-00001");
    const row = await t.db.radiusClient.findUniqueOrThrow({ where: { id: created.id } });
    expect(unseal(row.secretSealed!, SECRET_PURPOSE.radiusClientSecret(created.id))).toBe("client-secret-00001");
    await expect(async () =>
      createRadiusClient(
        t.db,
        parseInput(CreateRadiusClientSchema, { name: "Paris ASA", address: "192.0.2.1" }),
        actor,
      ),
    ).rejects.toThrow(/already exists/);
  });

  it("rotates an own secret with the grace period, removes it with null, and audits field names only", async () => {
    const c = await createRadiusClient(
      t.db,
      parseInput(CreateRadiusClientSchema, {
        name: "f5",
        address: "192.0.2.10",
        vendor: "f5",
        sharedSecret: "client-secret-00001",
      }),
      actor,
    );
    const rotated = await updateRadiusClient(
      t.db,
      c.id,
      parseInput(UpdateRadiusClientSchema, { sharedSecret: "client-secret-00002" }),
      actor,
    );
    expect(rotated.previousSecretExpiresAt).not.toBeNull();
    const removed = await updateRadiusClient(
      t.db,
      c.id,
      parseInput(UpdateRadiusClientSchema, { sharedSecret: null, vendor: "other" }),
      actor,
    );
    expect(removed).toMatchObject({ ownSecretConfigured: false, vendor: "other", previousSecretExpiresAt: null });
    await deleteRadiusClient(t.db, c.id, actor);
    const audit = await t.db.auditEntry.findMany({ orderBy: { id: "asc" } });
    expect(audit.map((a) => a.action)).toEqual([
      "radius-client.create",
      "radius-client.update",
      "radius-client.update",
      "radius-client.delete",
    ]);
    expect(audit[1]!.changes).toEqual({ sharedSecret: "rotated" });
    expect(audit[2]!.changes).toEqual({ vendor: { from: "f5", to: "other" }, sharedSecret: "removed" });
    expect(JSON.stringify(audit.map((a) => a.changes))).not.toMatch(/client-secret/);
  });
});
