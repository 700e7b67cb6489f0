// Builds Accounting-Requests straight from the RFC formulas, independently of
// the sensor's code, for tests: RFC 2866 §3 and RFC 3579 §3.2.
import { createHash, createHmac, randomBytes } from "node:crypto";
import net from "node:net";

export type Attr = [type: number, value: Buffer];

export const str = (type: number, value: string): Attr => [type, Buffer.from(value, "utf8")];
export const int = (type: number, value: number): Attr => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return [type, b];
};
export const ipv4 = (type: number, value: string): Attr => [type, Buffer.from(value.split(".").map(Number))];
export function ipv6(type: number, value: string): Attr {
  if (!net.isIPv6(value)) throw new Error(`not IPv6: ${value}`);
  const [head = "", tail = ""] = value.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = value.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return [type, b];
}
/** Tagged string (RFC 2868), e.g. Tunnel-Client-Endpoint. */
export const tagged = (type: number, tag: number, value: string): Attr => [
  type,
  Buffer.concat([Buffer.from([tag]), Buffer.from(value)]),
];
/** Vendor-Specific (26) holding one vendor attribute. */
export function vsa(vendorId: number, vendorType: number, value: Buffer | string): Attr {
  const v = typeof value === "string" ? Buffer.from(value) : value;
  const b = Buffer.alloc(6 + v.length);
  b.writeUInt32BE(vendorId, 0);
  b[4] = vendorType;
  b[5] = 2 + v.length;
  v.copy(b, 6);
  return [26, b];
}

export interface BuildOptions {
  identifier?: number;
  code?: number;
  /** Add a Message-Authenticator (80), computed as RFC 3579 says for accounting. */
  messageAuthenticator?: boolean | "wrong";
  /** Extra bytes after Length (padding a NAS may send). */
  padding?: number;
}

export function buildAccountingRequest(secret: string, attrs: Attr[], opts: BuildOptions = {}): Buffer {
  const all = [...attrs];
  if (opts.messageAuthenticator) all.push([80, Buffer.alloc(16)]);
  const body = Buffer.concat(all.map(([type, value]) => Buffer.concat([Buffer.from([type, value.length + 2]), value])));
  const packet = Buffer.alloc(20 + body.length);
  packet[0] = opts.code ?? 4;
  packet[1] = opts.identifier ?? 1;
  packet.writeUInt16BE(packet.length, 2);
  body.copy(packet, 20);
  if (opts.messageAuthenticator) {
    const maOffset = packet.length - 16;
    const mac = createHmac("md5", secret).update(packet).digest(); // authenticator field still zero
    if (opts.messageAuthenticator === "wrong") mac[0] = mac[0]! ^ 0xff;
    mac.copy(packet, maOffset);
  }
  createHash("md5").update(packet).update(secret).digest().copy(packet, 4);
  return opts.padding ? Buffer.concat([packet, Buffer.alloc(opts.padding, 0xab)]) : packet;
}

/**
 * A Status-Server (RFC 5997 §3) as a proxy sends it: a random Request Authenticator, and a Message-Authenticator
 * computed over the packet with that authenticator in place (RFC 3579 §3.2).
 */
export function buildStatusServer(
  secret: string,
  attrs: Attr[],
  opts: { identifier?: number; messageAuthenticator?: false | "wrong" } = {},
): Buffer {
  const all = opts.messageAuthenticator === false ? attrs : [...attrs, [80, Buffer.alloc(16)] as Attr];
  const body = Buffer.concat(all.map(([type, value]) => Buffer.concat([Buffer.from([type, value.length + 2]), value])));
  const packet = Buffer.alloc(20 + body.length);
  packet[0] = 12;
  packet[1] = opts.identifier ?? 1;
  packet.writeUInt16BE(packet.length, 2);
  randomBytes(16).copy(packet, 4);
  body.copy(packet, 20);
  if (opts.messageAuthenticator !== false) {
    const mac = createHmac("md5", secret).update(packet).digest();
    if (opts.messageAuthenticator === "wrong") mac[0] = mac[0]! ^ 0xff;
    mac.copy(packet, packet.length - 16);
  }
  return packet;
}

/** A reply's Message-Authenticator, checked as a client does: HMAC-MD5 with the Request Authenticator in place. */
export function responseMessageAuthenticatorValid(response: Buffer, request: Buffer, secret: string): boolean {
  let offset = 20;
  while (offset + 2 <= response.length) {
    if (response[offset] === 80) {
      const copy = Buffer.from(response);
      request.copy(copy, 4, 4, 20);
      copy.fill(0, offset + 2, offset + 18);
      return createHmac("md5", secret)
        .update(copy)
        .digest()
        .equals(response.subarray(offset + 2, offset + 18));
    }
    offset += response[offset + 1]!;
  }
  return false;
}

/** What a NAS checks on the answer: MD5(Code | Id | Length | Request Authenticator | Attributes | Secret). */
export function isValidAccountingResponse(response: Buffer, request: Buffer, secret: string): boolean {
  if (response.length < 20 || response[0] !== 5 || response[1] !== request[1]) return false;
  const expected = createHash("md5")
    .update(response.subarray(0, 4))
    .update(request.subarray(4, 20))
    .update(response.subarray(20))
    .update(secret)
    .digest();
  return expected.equals(response.subarray(4, 20));
}

/** The RFC 2866/3579 acceptance rule, written independently of the sensor, for the fuzz test's oracle. */
export function isValidAccountingRequest(datagram: Buffer, secret: string): boolean {
  if (datagram.length < 20) return false;
  const length = datagram.readUInt16BE(2);
  if (length < 20 || length > 4096 || length > datagram.length || datagram[0] !== 4) return false;
  const packet = datagram.subarray(0, length);
  let offset = 20;
  let maOffset = -1;
  let maCount = 0;
  while (offset < length) {
    if (offset + 2 > length) return false;
    const attrLength = packet[offset + 1]!;
    if (attrLength < 2 || offset + attrLength > length) return false;
    if (packet[offset] === 80) {
      maCount += 1;
      if (attrLength !== 18) return false;
      maOffset = offset + 2;
    }
    offset += attrLength;
  }
  const zeroed = Buffer.from(packet);
  zeroed.fill(0, 4, 20);
  if (!createHash("md5").update(zeroed).update(secret).digest().equals(packet.subarray(4, 20))) return false;
  if (maCount > 1) return false;
  if (maOffset >= 0) {
    const copy = Buffer.from(zeroed);
    copy.fill(0, maOffset, maOffset + 16);
    if (
      !createHmac("md5", secret)
        .update(copy)
        .digest()
        .equals(packet.subarray(maOffset, maOffset + 16))
    )
      return false;
  }
  return true;
}

/** The Accounting-Response a correct server sends for `request`: its Proxy-State attributes (33), in order. */
export function expectedAccountingResponse(request: Buffer, secret: string): Buffer {
  const proxyStates: Buffer[] = [];
  for (
    let offset = 20, end = request.readUInt16BE(2);
    offset + 2 <= end && request[offset + 1]! >= 2;
    offset += request[offset + 1]!
  ) {
    if (request[offset] === 33) proxyStates.push(request.subarray(offset, offset + request[offset + 1]!));
  }
  const response = Buffer.concat([Buffer.alloc(20), ...proxyStates]);
  response[0] = 5;
  response[1] = request[1]!;
  response.writeUInt16BE(response.length, 2);
  createHash("md5")
    .update(response.subarray(0, 4))
    .update(request.subarray(4, 20))
    .update(response.subarray(20))
    .update(secret)
    .digest()
    .copy(response, 4);
  return response;
}
