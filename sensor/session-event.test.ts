import { describe, expect, it } from "vitest";
import { NO_MAPPINGS } from "../lib/identities/resolve-identity.ts";
import { PRIVATE_NETWORK, type GeoLocation } from "../lib/geo/locator.ts";
import { decodeAccountingRequest } from "./decode.ts";
import { parseStructure } from "./protocol/verify.ts";
import { normalizeAccounting, type NormalizeContext } from "./session-event.ts";
import { type SessionEvent } from "../lib/sessions/accounting-record.ts";
import { openNetworkLocator } from "../lib/geo/network.ts";
import { buildAccountingRequest, int, ipv4, ipv6, str, tagged, vsa, type Attr } from "./testing/accounting-packet.ts";

const SECRET = "s3cret-shared-0001";
const receivedAt = new Date("2026-11-24T12:00:00Z");
const network = openNetworkLocator(undefined);
const geolocate = (ip: string): GeoLocation =>
  ip.startsWith("10.")
    ? PRIVATE_NETWORK
    : {
        kind: "geo",
        countryCode: "FR",
        country: "France",
        region: null,
        city: "Paris",
        latitude: 48.8,
        longitude: 2.3,
      };

function normalize(attrs: Attr[], ctx: Partial<NormalizeContext> = {}) {
  const packet = buildAccountingRequest(SECRET, attrs);
  const decoded = decodeAccountingRequest(packet, parseStructure(packet)!.attributes);
  const result = normalizeAccounting(decoded, {
    sourceIp: "192.0.2.50",
    clientId: null,
    receivedAt,
    configuredVendor: null,
    mappings: NO_MAPPINGS,
    geolocate,
    networkOf: (ip) => network.lookup(ip),
    ...ctx,
  });
  return { decoded, result, event: "record" in result ? (result.record as SessionEvent) : null };
}

const session = (status: number): Attr[] => [
  str(1, "CONTOSO\\Bob"),
  int(40, status),
  str(44, "0000A1B2"),
  ipv4(4, "10.0.0.1"),
];

describe("normalization: vendor shapes", () => {
  it("Cisco ASA: Calling-Station-Id when it is an IP, else Cisco-AVPair ip:source-ip, else Tunnel-Client-Endpoint", () => {
    const withCalling = normalize([
      ...session(1),
      str(31, "81.2.69.142"),
      vsa(3076, 146, "RemoteAccess"),
      vsa(9, 1, "ip:source-ip=81.2.69.160"),
    ]);
    expect(withCalling.event).toMatchObject({ vendor: "cisco_asa", publicIp: "81.2.69.142" });
    // The public IP's network owner, from the offline dataset.
    expect(withCalling.event!.network).toEqual({ asn: 20712, organization: "Andrews & Arnold Ltd", hosting: false });
    const avpair = normalize([
      ...session(1),
      str(31, "00-11-22-33-44-55"),
      vsa(9, 1, "audit-session-id=abc"),
      vsa(9, 1, "ip:source-ip=81.2.69.160"),
      tagged(66, 1, "81.2.69.170"),
    ]);
    expect(avpair.decoded.ciscoAvPairs).toEqual(["audit-session-id=abc", "ip:source-ip=81.2.69.160"]);
    expect(avpair.event).toMatchObject({ vendor: "cisco_asa", publicIp: "81.2.69.160" });
    const tunnel = normalize([...session(1), vsa(3076, 150, Buffer.from([0, 0, 0, 2])), tagged(66, 1, "81.2.69.170")], {
      configuredVendor: "cisco_asa",
    });
    expect(tunnel.event).toMatchObject({ vendor: "cisco_asa", publicIp: "81.2.69.170" });
  });

  it("Microsoft RRAS: Calling-Station-Id, else Tunnel-Client-Endpoint; client name from MS-RAS-Client-Name", () => {
    const rras = normalize([
      ...session(1),
      str(31, "2a01:e0a:1::5"),
      tagged(66, 0, "81.2.69.1"),
      vsa(311, 34, "LAPTOP-42"),
    ]);
    expect(rras.event).toMatchObject({ vendor: "microsoft", publicIp: "2a01:e0a:1::5", clientName: "LAPTOP-42" });
    const phone = normalize([
      ...session(1),
      str(31, "+33123456789"),
      tagged(66, 0, "81.2.69.1"),
      vsa(311, 9, Buffer.from([0, 0, 1, 55])),
    ]);
    expect(phone.event).toMatchObject({ vendor: "microsoft", publicIp: "81.2.69.1" });
  });

  it("F5: Tunnel-Client-Endpoint first; Check Point and Other likewise", () => {
    const f5 = normalize([...session(1), str(31, "81.2.69.9"), tagged(66, 0, "81.2.69.8"), vsa(3375, 12, "info")]);
    expect(f5.event).toMatchObject({ vendor: "f5", publicIp: "81.2.69.8" });
    const cp = normalize([...session(1), str(31, "81.2.69.9"), str(66, "81.2.69.7"), vsa(2620, 229, "vpn")]);
    expect(cp.event).toMatchObject({ vendor: "checkpoint", publicIp: "81.2.69.7" });
    const other = normalize([...session(1), str(31, "81.2.69.9")]);
    expect(other.event).toMatchObject({ vendor: "other", publicIp: "81.2.69.9" });
    expect(normalize([...session(1), str(31, "aa:bb:cc:dd:ee:ff")]).event!.publicIp).toBeNull();
  });

  it("the configured vendor wins over detection", () => {
    expect(normalize([...session(1), vsa(311, 34, "PC")], { configuredVendor: "f5" }).event!.vendor).toBe("f5");
  });
});

describe("normalization: fields", () => {
  it("counts octets with Gigawords as 64-bit, names the terminate cause, and takes Event-Timestamp as event time", () => {
    const { event } = normalize([
      ...session(2),
      int(46, 3600),
      int(42, 5),
      int(52, 2),
      int(43, 7),
      int(53, 1),
      int(49, 11),
      int(55, 1_795_000_000),
      int(41, 30),
      ipv4(8, "10.8.0.2"),
    ]);
    expect(event).toMatchObject({
      kind: "stop",
      inputBytes: String(2n * 2n ** 32n + 5n),
      outputBytes: String(2n ** 32n + 7n),
      terminateCause: "NAS-Reboot",
      sessionTime: 3600,
      eventTime: new Date(1_795_000_000 * 1000).toISOString(),
      assignedIp: "10.8.0.2",
    });
  });

  it("without Event-Timestamp, event time is receive time minus Acct-Delay-Time", () => {
    expect(normalize([...session(3), int(41, 90)]).event!.eventTime).toBe("2026-11-24T11:58:30.000Z");
  });

  it("an Event-Timestamp after the packet's arrival beyond 5 minutes of clock skew is a wrong NAS clock, not used", () => {
    const at = (iso: string) => int(55, Date.parse(iso) / 1000);
    expect(normalize([...session(3), at("2026-11-24T12:04:00Z")]).event!.eventTime).toBe("2026-11-24T12:04:00.000Z");
    expect(normalize([...session(3), at("2026-11-24T12:06:00Z"), int(41, 30)]).event!.eventTime).toBe(
      "2026-11-24T11:59:30.000Z",
    );
    expect(normalize([...session(3), int(55, 0xfffffff0)]).event!.eventTime).toBe(receivedAt.toISOString());
    expect(normalize([...session(3), at("2026-10-01T08:00:00Z")]).event!.eventTime).toBe("2026-10-01T08:00:00.000Z"); // late records are fine
  });

  it("decodes an authentic packet whose attributes the decoder cannot read, skipping just those", () => {
    const raw = (type: number, bytes: number[]): Attr => [type, Buffer.from(bytes)];
    const { decoded, event } = normalize([
      ...session(3),
      raw(85, [1, 2]),
      raw(8, [10, 1, 2]),
      raw(168, [1, 2, 3, 4, 5]),
      raw(26, [0, 0, 1]),
      vsa(311, 34, Buffer.alloc(0)),
      str(31, "81.2.69.142"),
      int(46, 600),
    ]);
    expect(decoded).toMatchObject({ interimInterval: null, framedIpv6Address: null, callingStationId: "81.2.69.142" });
    expect(event).toMatchObject({
      userName: "CONTOSO\\Bob",
      publicIp: "81.2.69.142",
      sessionTime: 600,
      assignedIp: null,
    });
  });

  it("keys the session by NAS, Acct-Session-Id and User-Name: every record of a session, retransmitted or not, has its key", () => {
    const a = normalize([...session(3), int(46, 60), int(42, 100), int(41, 0)]).event!;
    const b = normalize([...session(3), int(46, 60), int(42, 100), int(41, 5)]).event!;
    const c = normalize([...session(3), int(46, 120), int(42, 200)]).event!;
    expect(a.sessionKey).toBe(b.sessionKey);
    expect(c.sessionKey).toBe(a.sessionKey);
    const otherNas = normalize([str(1, "CONTOSO\\Bob"), int(40, 3), str(44, "0000A1B2"), str(32, "asa-2")]).event!;
    expect(otherNas.sessionKey).not.toBe(a.sessionKey);
    expect(otherNas.nasKey).toBe("source:192.0.2.50|asa-2");
  });

  it("keys a NAS under the client (or source address) that sent it: a named NAS-IP-Address never reaches another client's sessions", () => {
    const fromA = normalize(session(1), { clientId: "aaaaaaaa-0000-4000-8000-000000000001" }).event!;
    const fromB = normalize(session(1), { clientId: "bbbbbbbb-0000-4000-8000-000000000002" }).event!;
    expect(fromA.nasKey).toBe("client:aaaaaaaa-0000-4000-8000-000000000001|10.0.0.1");
    expect(fromA.sessionKey).not.toBe(fromB.sessionKey);
    const elsewhere = normalize(session(1), { sourceIp: "198.51.100.9" }).event!;
    expect(elsewhere.nasKey).toBe("source:198.51.100.9|10.0.0.1");
    expect(
      normalize([int(40, 8), ipv4(4, "10.0.0.1")], { clientId: "aaaaaaaa-0000-4000-8000-000000000001" }).result,
    ).toMatchObject({
      record: { kind: "nas-off", nasKey: "client:aaaaaaaa-0000-4000-8000-000000000001|10.0.0.1" },
    });
  });

  it("resolves the identity and keeps the name as sent", () => {
    const mappings = {
      netbiosToUpnSuffix: new Map([["contoso", "contoso.com"]]),
      aliasToPrimary: new Map<string, string>(),
    };
    expect(normalize(session(1), { mappings }).event).toMatchObject({
      identity: "bob@contoso.com",
      userName: "CONTOSO\\Bob",
    });
  });

  it("reads Framed-IPv6-Address and locates the public IP, private ones without a lookup", () => {
    const { event } = normalize([...session(1), ipv6(168, "2001:db8:0:1::7"), str(31, "10.2.3.4")]);
    expect(event!.assignedIp).toBe("2001:db8:0:1::7");
    expect(event!.location!.kind).toBe("private");
    expect(normalize([...session(1), str(31, "81.2.69.142")]).event!.location!.city).toBe("Paris");
  });

  it("turns Accounting-On/Off into NAS events and acknowledges other status types without storing", () => {
    const on = normalize([int(40, 7), ipv4(4, "10.0.0.1")]).result;
    expect(on).toEqual({
      record: {
        kind: "nas-on",
        nasKey: "source:192.0.2.50|10.0.0.1",
        eventTime: receivedAt.toISOString(),
        terminateCause: "NAS-Reboot",
      },
    });
    expect(normalize([int(40, 15), ipv4(4, "10.0.0.1")]).result).toEqual({ ignored: "status-type-15" });
  });

  it("makes every value storable: a NUL inside text becomes U+FFFD (trailing ones are padding), out-of-range numbers are capped or unknown", () => {
    const { event } = normalize([
      str(1, "bob\0smith@contoso.com\0\0"),
      int(40, 3),
      str(44, "A\0B"),
      ipv4(4, "10.0.0.1"),
      str(32, "nas\0one"),
      int(46, 0xffffffff),
      int(85, 0xffffffff),
      int(42, 0xffffffff),
      int(52, 0xffffffff),
      int(43, 7),
      int(53, 1),
    ]);
    expect(event).toMatchObject({
      userName: "bob\uFFFDsmith@contoso.com",
      identity: "bob\uFFFDsmith@contoso.com",
      acctSessionId: "A\uFFFDB",
      nasIdentifier: "nas\uFFFDone",
      sessionTime: null, // 136 years: no real session (the column is a 32-bit int)
      interimInterval: null,
      inputBytes: String(2n ** 63n - 1n), // 2^64 − 1 capped at what a bigint holds
      outputBytes: String((1n << 32n) + 7n),
    });
    expect(normalize([...session(3), int(46, 2 ** 31 - 1)]).event!.sessionTime).toBe(2 ** 31 - 1);
  });

  it("keeps unknown attributes raw instead of failing", () => {
    const { decoded, event } = normalize([...session(1), [200, Buffer.from("hello")], vsa(99999, 1, "x")]);
    expect(decoded.unknown).toEqual([{ type: 200, hex: Buffer.from("hello").toString("hex") }]);
    expect(event).not.toBeNull();
  });
});
