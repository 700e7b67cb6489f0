import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCa } from "../testing/test-pki.ts";
import {
  createRadiusClient,
  updateRadiusClient,
  CreateRadiusClientSchema,
  UpdateRadiusClientSchema,
} from "./radius-clients.ts";
import {
  getRadsecSettings,
  sensorRadsecCertificate,
  updateRadsecSettings,
  RadsecSettingsUpdateSchema,
} from "./radsec-settings.ts";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import { parseInput } from "../errors.ts";

let t: TestDatabase;
const actor = { label: "user:admin@example.com" };
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

describe("RadSec settings", () => {
  it("stores an uploaded client CA, audits its subjects and fingerprints, notifies the sensors, and removes it", async () => {
    const ca = await createTestCa("Settings CA");
    const listener = await t.pool.connect();
    const notes: string[] = [];
    listener.on("notification", (n) => notes.push(n.payload ?? ""));
    await listener.query("LISTEN vpnsight_config");
    const view = await updateRadsecSettings(
      t.db,
      parseInput(RadsecSettingsUpdateSchema, { clientCa: ca.certPem }),
      actor,
    );
    expect(view.clientCa.map((c) => c.subject)).toEqual(["CN=Settings CA"]);
    expect((await getRadsecSettings(t.db)).clientCaPem).toBe(ca.certPem.trim() + "\n");
    const audit = await t.db.auditEntry.findFirstOrThrow({ where: { action: "radsec.client_ca" } });
    expect(JSON.stringify(audit.changes)).toContain(view.clientCa[0]!.fingerprint256);
    await new Promise((r) => setTimeout(r, 200));
    expect(notes).toContain("radsec");
    listener.release();
    expect(
      (await updateRadsecSettings(t.db, parseInput(RadsecSettingsUpdateSchema, { clientCa: null }), actor)).clientCa,
    ).toEqual([]);
  });

  it("refuses bad input with a reason and keeps what was saved", async () => {
    const ca = await createTestCa("Kept CA");
    await updateRadsecSettings(t.db, parseInput(RadsecSettingsUpdateSchema, { clientCa: ca.certPem }), actor);
    await expect(async () =>
      updateRadsecSettings(t.db, parseInput(RadsecSettingsUpdateSchema, { clientCa: "junk" }), actor),
    ).rejects.toThrow(/No certificate found/);
    await expect(async () =>
      updateRadsecSettings(t.db, parseInput(RadsecSettingsUpdateSchema, { clientCa: ca.certPem + ca.keyPem }), actor),
    ).rejects.toThrow(/private key/);
    await expect(async () =>
      updateRadsecSettings(t.db, parseInput(RadsecSettingsUpdateSchema, { clientCa: 42 }), actor),
    ).rejects.toThrow(/clientCa/);
    await expect(async () =>
      updateRadsecSettings(t.db, parseInput(RadsecSettingsUpdateSchema, {}), actor),
    ).rejects.toThrow(/clientCa/);
    expect((await getRadsecSettings(t.db)).clientCa.map((c) => c.subject)).toEqual(["CN=Kept CA"]);
  });

  it("serves the certificate a sensor reported, and none for a sensor without RadSec", async () => {
    await t.query(
      `INSERT INTO "SensorStatus" ("sensorId", "lastHeartbeat", "startedAt", listening, radsec) VALUES ('s1', now(), now(), '', $1), ('s2', now(), now(), '', NULL)`,
      [
        JSON.stringify({
          listening: true,
          port: 2083,
          fingerprint256: "AA",
          certificatePem: "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n",
          certificateSource: "generated",
          clientCa: "portal",
          error: null,
        }),
      ],
    );
    expect(await sensorRadsecCertificate(t.db, "s1")).toContain("BEGIN CERTIFICATE");
    expect(await sensorRadsecCertificate(t.db, "s2")).toBeNull();
    expect(await sensorRadsecCertificate(t.db, "nope")).toBeNull();
    const sensors = (await getRadsecSettings(t.db)).sensors;
    expect(sensors.find((s) => s.sensorId === "s1")?.radsec).toMatchObject({ listening: true, port: 2083 });
    expect(JSON.stringify(sensors)).not.toContain("BEGIN CERTIFICATE");
  });

  it("binds a RADIUS client to a certificate, audited, and unbinds it", async () => {
    const client = await createRadiusClient(
      t.db,
      parseInput(CreateRadiusClientSchema, {
        name: "radsec-proxy",
        address: "192.0.2.7",
        certificate: "Proxy.Contoso.Test",
      }),
      actor,
    );
    expect(client.certificate).toBe("proxy.contoso.test");
    await expect(async () =>
      createRadiusClient(
        t.db,
        parseInput(CreateRadiusClientSchema, { name: "bad", address: "192.0.2.8", certificate: "has space" }),
        actor,
      ),
    ).rejects.toThrow(/certificate/);
    const fp = "0f".repeat(32);
    expect(
      (await updateRadiusClient(t.db, client.id, parseInput(UpdateRadiusClientSchema, { certificate: fp }), actor))
        .certificate,
    ).toBe(`sha256:${"0F:".repeat(31)}0F`);
    expect(
      (await updateRadiusClient(t.db, client.id, parseInput(UpdateRadiusClientSchema, { certificate: null }), actor))
        .certificate,
    ).toBeNull();
    const audits = await t.db.auditEntry.findMany({
      where: { target: "radius-client:radsec-proxy" },
      orderBy: { at: "asc" },
    });
    expect(audits.map((a) => a.action)).toEqual([
      "radius-client.create",
      "radius-client.update",
      "radius-client.update",
    ]);
  });
});
