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

  it("filters by place, IP or CIDR, network and vendor, and refuses what names nothing", async () => {
    const base = {
      identity: "eve@contoso.com",
      userName: "eve@contoso.com",
      vendor: "f5" as const,
      nasKey: "10.0.0.9",
      nasIp: "10.0.0.9",
      sourceIp: "127.0.0.1",
      locationKind: "geo",
      startedAt: new Date(T0 + 10 * 3600_000),
      lastUpdateAt: new Date(T0 + 10 * 3600_000),
      status: "open" as const,
    };
    await t.db.vpnSession.createMany({
      data: [
        {
          ...base,
          sessionKey: "e1",
          acctSessionId: "E1",
          publicIp: "3.5.140.1",
          countryCode: "KR",
          city: "Seoul",
          asn: 16509,
          asOrganization: "Amazon.com, Inc.",
          hosting: true,
        },
        {
          ...base,
          sessionKey: "e2",
          acctSessionId: "E2",
          publicIp: "8.8.8.8",
          countryCode: "US",
          city: "Mountain View",
          asn: 15169,
          asOrganization: "Google LLC",
          hosting: true,
        },
        {
          ...base,
          sessionKey: "e3",
          acctSessionId: "E3",
          publicIp: "2001:db8::5",
          countryCode: "FR",
          city: "Paris",
          vendor: "checkpoint" as const,
        },
      ],
    });
    const ids = async (q: Record<string, unknown>) =>
      (await query({ limit: 100, ...q })).items
        .map((x) => x.acctSessionId)
        .filter((a) => a.startsWith("E"))
        .sort();
    try {
      expect(await ids({ country: "kr" })).toEqual(["E1"]);
      expect(await ids({ city: "PARIS" })).toEqual(["E3"]);
      expect(await ids({ ip: "3.5.140.0/22" })).toEqual(["E1"]);
      expect(await ids({ ip: "2001:db8::/32" })).toEqual(["E3"]);
      expect(await ids({ ip: "8.8.8.8" })).toEqual(["E2"]);
      expect(await ids({ asn: "16509" })).toEqual(["E1"]);
      expect(await ids({ network: "google" })).toEqual(["E2"]);
      expect(await ids({ hosting: "true" })).toEqual(["E1", "E2"]);
      expect(await ids({ hosting: "false" })).toEqual(["E3"]);
      expect(await ids({ vendor: "checkpoint" })).toEqual(["E3"]);
      expect(await ids({ identity: "eve" })).toEqual(["E1", "E2", "E3"]);
      // An ASN that no dataset knows, and filters that name nothing, are refused with the reason.
      await expect(query({ asn: "4294967290" })).rejects.toThrow(
        "AS4294967290 is not a network the network-owner data knows.",
      );
      expect(() => VpnSessionQuerySchema.parse({ ip: "10.0.0.0/33" })).toThrow(/ip is an IP address or a CIDR block/);
      expect(() => VpnSessionQuerySchema.parse({ ip: "hello" })).toThrow(/ip is an IP address or a CIDR block/);
      expect(() => VpnSessionQuerySchema.parse({ asn: "AS-one" })).toThrow(/asn is an autonomous system number/);
      expect(() => VpnSessionQuerySchema.parse({ country: "Narnia" })).toThrow(/two-letter ISO country code/);
      expect(() => VpnSessionQuerySchema.parse({ hosting: "maybe" })).toThrow(/hosting is true or false/);
      expect(() => VpnSessionQuerySchema.parse({ vendor: "juniper" })).toThrow(/vendor is microsoft/);
      expect(() =>
        VpnSessionQuerySchema.parse({ since: "2025-01-01T00:00:00Z", until: "2026-01-01T00:00:00Z" }),
      ).toThrow("A range spans at most 180 days.");
      expect(() =>
        VpnSessionQuerySchema.parse({ since: "2026-01-02T00:00:00Z", until: "2026-01-01T00:00:00Z" }),
      ).toThrow("since must be before until.");
    } finally {
      await t.db.vpnSession.deleteMany({ where: { identity: "eve@contoso.com" } });
    }
  });
});
