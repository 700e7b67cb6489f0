import { describe, expect, it } from "vitest";
import {
  buildAccountingRequest,
  buildStatusServer,
  int,
  isValidAccountingResponse,
  responseMessageAuthenticatorValid,
  str,
} from "../testing/accounting-packet.ts";
import { encodeAccountingResponse, parseStructure, verifyRequest } from "./verify.ts";

const SECRET = "s3cret-shared-0001";
const base = [str(1, "bob@contoso.com"), int(40, 1), str(44, "S-1")];
const verify = (packet: Buffer, secrets = [SECRET], requireMessageAuthenticator = false) =>
  verifyRequest(packet, { secrets, requireMessageAuthenticator });

describe("Accounting-Request verification", () => {
  it("accepts a packet signed with the secret and answers with a valid Response Authenticator", () => {
    const packet = buildAccountingRequest(SECRET, base, { identifier: 77 });
    const result = verify(packet);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.identifier).toBe(77);
    expect(result.attributes.map((a) => a.type)).toEqual([1, 40, 44]);
    const response = encodeAccountingResponse(result);
    expect(response).toHaveLength(20);
    expect(isValidAccountingResponse(response, packet, SECRET)).toBe(true);
  });

  it("drops a wrong secret as bad_authenticator, and tries each candidate (rotation)", () => {
    const packet = buildAccountingRequest("another-secret-0002", base);
    expect(verify(packet)).toEqual({ ok: false, reason: "bad_authenticator" });
    const result = verify(packet, [SECRET, "another-secret-0002"]);
    expect(result.ok && result.secret).toBe("another-secret-0002");
    expect(verify(packet, [])).toEqual({ ok: false, reason: "bad_authenticator" });
  });

  it("ignores padding after Length, and is not fooled by signing the padding", () => {
    expect(verify(buildAccountingRequest(SECRET, base, { padding: 13 })).ok).toBe(true);
    const packet = buildAccountingRequest(SECRET, base);
    const longer = Buffer.concat([packet, Buffer.alloc(4)]);
    expect(verify(longer).ok).toBe(true);
  });

  it("drops malformed structure: short, bad Length, overflowing or zero-length attributes, non-tiling", () => {
    const good = buildAccountingRequest(SECRET, base);
    expect(verify(good.subarray(0, 19))).toEqual({ ok: false, reason: "malformed" });
    const tooLong = Buffer.from(good);
    tooLong.writeUInt16BE(good.length + 1, 2);
    expect(verify(tooLong)).toEqual({ ok: false, reason: "malformed" });
    const under20 = Buffer.from(good);
    under20.writeUInt16BE(19, 2);
    expect(verify(under20)).toEqual({ ok: false, reason: "malformed" });
    const over4096 = Buffer.alloc(4100);
    good.copy(over4096);
    over4096.writeUInt16BE(4097, 2);
    expect(verify(over4096)).toEqual({ ok: false, reason: "malformed" });
    const overflow = Buffer.from(good);
    overflow[21] = 200; // first attribute claims to run past Length
    expect(verify(overflow)).toEqual({ ok: false, reason: "malformed" });
    const zero = Buffer.from(good);
    zero[21] = 1;
    expect(verify(zero)).toEqual({ ok: false, reason: "malformed" });
    const dangling = Buffer.concat([good, Buffer.from([1])]);
    dangling.writeUInt16BE(dangling.length, 2); // one stray byte inside Length
    expect(verify(dangling)).toEqual({ ok: false, reason: "malformed" });
  });

  it("drops codes other than Accounting-Request and Status-Server", () => {
    expect(verify(buildAccountingRequest(SECRET, base, { code: 1 }))).toEqual({
      ok: false,
      reason: "unsupported_code",
    });
    expect(verify(buildAccountingRequest(SECRET, base, { code: 5 }))).toEqual({
      ok: false,
      reason: "unsupported_code",
    });
  });

  it("checks a Message-Authenticator when present, and requires it when the client is flagged", () => {
    expect(verify(buildAccountingRequest(SECRET, base, { messageAuthenticator: true })).ok).toBe(true);
    expect(verify(buildAccountingRequest(SECRET, base, { messageAuthenticator: "wrong" }))).toEqual({
      ok: false,
      reason: "bad_message_authenticator",
    });
    expect(verify(buildAccountingRequest(SECRET, base), [SECRET], true)).toEqual({
      ok: false,
      reason: "bad_message_authenticator",
    });
    expect(verify(buildAccountingRequest(SECRET, base, { messageAuthenticator: true }), [SECRET], true).ok).toBe(true);
  });

  it("rejects any single-bit change of a signed packet", () => {
    const packet = buildAccountingRequest(SECRET, base);
    for (let i = 0; i < packet.length * 8; i++) {
      const flipped = Buffer.from(packet);
      flipped[i >> 3]! ^= 1 << (i & 7);
      expect(verify(flipped).ok, `bit ${i}`).toBe(false);
    }
  });

  it("parses the attribute tiling exactly", () => {
    const packet = buildAccountingRequest(SECRET, [str(1, ""), str(44, "x")]);
    expect(parseStructure(packet)!.attributes.map((a) => [a.type, a.value.length])).toEqual([
      [1, 0],
      [44, 1],
    ]);
  });
});

describe("Proxy-State (RFC 2865 §5.33)", () => {
  it("copies every Proxy-State into the response unmodified and in order, covered by the Response Authenticator", () => {
    const states = [Buffer.from("first-proxy"), Buffer.from([0, 1, 2, 255])];
    const packet = buildAccountingRequest(SECRET, [...base, [33, states[0]!], str(32, "nas-1"), [33, states[1]!]]);
    const result = verify(packet);
    if (!result.ok) throw new Error("not verified");
    const response = encodeAccountingResponse(result);
    expect(isValidAccountingResponse(response, packet, SECRET)).toBe(true);
    const attrs = parseStructure(response)!.attributes;
    expect(attrs.map((a) => a.type)).toEqual([33, 33]);
    expect(attrs.map((a) => a.value)).toEqual(states);
  });
});

describe("Status-Server (RFC 5997)", () => {
  it("is verified by its Message-Authenticator and answered with an Accounting-Response carrying one", () => {
    const probe = buildStatusServer(SECRET, [str(32, "proxy-1"), [33, Buffer.from("ps")]], { identifier: 9 });
    const result = verify(probe, ["other-secret-00001", SECRET]);
    expect(result.ok && result.kind).toBe("status-server");
    if (!result.ok) return;
    expect(result.secret).toBe(SECRET);
    const response = encodeAccountingResponse(result);
    expect(response[0]).toBe(5);
    expect(response[1]).toBe(9);
    expect(isValidAccountingResponse(response, probe, SECRET)).toBe(true);
    expect(responseMessageAuthenticatorValid(response, probe, SECRET)).toBe(true);
    expect(parseStructure(response)!.attributes.map((a) => a.type)).toEqual([80, 33]);
  });

  it("is dropped without a Message-Authenticator, with a wrong one, with two, or under another secret", () => {
    expect(verify(buildStatusServer(SECRET, [str(32, "p")], { messageAuthenticator: false }))).toEqual({
      ok: false,
      reason: "bad_message_authenticator",
    });
    expect(verify(buildStatusServer(SECRET, [str(32, "p")], { messageAuthenticator: "wrong" }))).toEqual({
      ok: false,
      reason: "bad_message_authenticator",
    });
    expect(verify(buildStatusServer("another-secret-0002", [str(32, "p")]))).toEqual({
      ok: false,
      reason: "bad_message_authenticator",
    });
    expect(verify(buildStatusServer(SECRET, [[80, Buffer.alloc(16)], str(32, "p")]))).toEqual({
      ok: false,
      reason: "bad_message_authenticator",
    });
  });
});
