import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import { VpnSessionQuerySchema, listVpnSessions } from "./session-list.ts";

let t: TestDatabase;
const T0 = Date.parse("2026-11-01T00:00:00Z");
beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.vpnSession.createMany({
    data: Array.from({ length: 25 }, (_, i) => ({
      sessionKey: `k${i}`,
      identity: i % 2 ? "bob@contoso.com" : "alice@contoso.com",
      userName: i % 2 ? "CONTOSO\\bob" : "alice@contoso.com",
      vendor: i % 3 === 0 ? ("cisco_asa" as const) : ("microsoft" as const),
      nasKey: i < 20 ? "10.0.0.1" : "asa-2",
      nasIp: i < 20 ? "10.0.0.1" : null,
      nasIdentifier: i < 20 ? null : "asa-2",
      sourceIp: "127.0.0.1",
      acctSessionId: `S${i}`,
      publicIp: "81.2.69.142",
      locationKind: "geo",
      countryCode: "GB",
      country: "United Kingdom",
      city: "London",
      latitude: 51.5,
      longitude: -0.1,
      // Several sessions share a start time, so the cursor must break ties by id.
      startedAt: new Date(T0 + Math.floor(i / 3) * 3600_000),
      lastUpdateAt: new Date(T0 + Math.floor(i / 3) * 3600_000),
      status: i % 5 === 0 ? ("open" as const) : ("closed" as const),
      inputBytes: 2n ** 40n + BigInt(i),
    })),
  });
});
afterAll(async () => t.drop());

const query = (q: Record<string, unknown>) => listVpnSessions(t.db, VpnSessionQuerySchema.parse(q));

describe("GET /api/v1/vpn-sessions query", () => {
  it("returns the documented item shape: vendor names, byte counts as decimal strings, ISO times", async () => {
    const { items } = await query({ limit: 1 });
    expect(Object.keys(items[0]!).sort()).toEqual(
      [
        "acctSessionId",
        "assignedIp",
        "durationSeconds",
        "endedAt",
        "id",
        "identity",
        "inputBytes",
        "lastUpdateAt",
        "location",
        "locationKind",
        "nasIdentifier",
        "nasIp",
        "outputBytes",
        "publicIp",
        "startedAt",
        "status",
        "terminateCause",
        "asn",
        "asOrganization",
        "hosting",
        "userName",
        "vendor",
      ].sort(),
    );
    const asa = (await query({ limit: 100 })).items.find((s) => s.acctSessionId === "S3")!;
    expect(asa).toMatchObject({
      vendor: "cisco-asa",
      inputBytes: String(2n ** 40n + 3n),
      location: { countryCode: "GB", city: "London" },
    });
    expect(asa.startedAt).toBe(new Date(T0 + 3600_000).toISOString());
  });

  it("pages newest first with a cursor, without gaps or repeats across equal start times", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await query({ limit: 4, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((s) => s.acctSessionId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(25);
    expect(new Set(seen).size).toBe(25);
    const starts = (await query({ limit: 1000 })).items.map((s) => s.startedAt);
    expect([...starts].sort().reverse()).toEqual(starts);
  });

  it("filters by identity, status, NAS and time range", async () => {
    expect(
      (await query({ identity: "BOB@contoso.com", limit: 100 })).items.every((s) => s.identity === "bob@contoso.com"),
    ).toBe(true);
    expect((await query({ identity: "bob@contoso.com", limit: 100 })).items).toHaveLength(12);
    expect((await query({ status: "open", limit: 100 })).items).toHaveLength(5);
    expect((await query({ nas: "asa-2", limit: 100 })).items.map((s) => s.acctSessionId).sort()).toEqual([
      "S20",
      "S21",
      "S22",
      "S23",
      "S24",
    ]);
    const ranged = await query({
      since: new Date(T0 + 3600_000).toISOString(),
      until: new Date(T0 + 3 * 3600_000).toISOString(),
      limit: 100,
    });
    expect(ranged.items.map((s) => s.acctSessionId).sort()).toEqual(["S3", "S4", "S5", "S6", "S7", "S8"]);
  });

  it("rejects bad parameters with clear messages", () => {
    expect(() => VpnSessionQuerySchema.parse({ limit: "5000" })).toThrow(/1 to 1000/);
    expect(() => VpnSessionQuerySchema.parse({ status: "gone" })).toThrow(/open, closed or stale/);
    expect(() => VpnSessionQuerySchema.parse({ since: "yesterday" })).toThrow(/ISO 8601/);
  });

  it("rejects a forged cursor", async () => {
    await expect(query({ cursor: "bm9wZQ" })).rejects.toThrow(/cursor is not valid/);
  });
});
