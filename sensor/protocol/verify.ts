import { createHmac, hash, timingSafeEqual } from "node:crypto";
import {
  ATTR,
  AUTHENTICATOR_LENGTH,
  AUTHENTICATOR_OFFSET,
  CODE,
  HEADER_LENGTH,
  MAX_PACKET_LENGTH,
  type DropReason,
} from "./constants.ts";

export interface RawAttribute {
  type: number;
  /** Offset of the attribute's value within the packet. */
  offset: number;
  value: Buffer;
}

export type Verification =
  | {
      ok: true;
      kind: "accounting" | "status-server";
      packet: Buffer;
      identifier: number;
      attributes: RawAttribute[];
      secret: string;
    }
  | { ok: false; reason: DropReason };

export interface SecretCandidates {
  secrets: string[];
  requireMessageAuthenticator: boolean;
}

/**
 * Structural checks (FreeRADIUS rules): header, Length within bounds, bytes
 * past Length ignored, attributes tiling exactly up to Length, each ≥ 2 long.
 */
export function parseStructure(datagram: Buffer): { packet: Buffer; attributes: RawAttribute[] } | null {
  if (datagram.length < HEADER_LENGTH) return null;
  const length = datagram.readUInt16BE(2);
  if (length < HEADER_LENGTH || length > MAX_PACKET_LENGTH || length > datagram.length) return null;
  const packet = datagram.subarray(0, length);
  const attributes: RawAttribute[] = [];
  let offset = HEADER_LENGTH;
  while (offset < length) {
    if (offset + 2 > length) return null;
    const attrLength = packet[offset + 1]!;
    if (attrLength < 2 || offset + attrLength > length) return null;
    attributes.push({
      type: packet[offset]!,
      offset: offset + 2,
      value: packet.subarray(offset + 2, offset + attrLength),
    });
    offset += attrLength;
  }
  return { packet, attributes };
}

// One buffer reused for every MD5 input (the packet path is synchronous): one-shot hashing
// without a Hash object or a concatenated copy per packet.
let scratch = Buffer.alloc(MAX_PACKET_LENGTH + 256);

/** MD5(header | authenticator | body | secret), with `authenticator` in place of the packet's own. */
function md5With(header: Buffer, authenticator: Buffer | null, body: Buffer, secret: string): Buffer {
  const length = header.length + AUTHENTICATOR_LENGTH + body.length + Buffer.byteLength(secret, "latin1");
  if (length > scratch.length) scratch = Buffer.alloc(length);
  let at = header.copy(scratch, 0);
  if (authenticator) at += authenticator.copy(scratch, at);
  else {
    scratch.fill(0, at, at + AUTHENTICATOR_LENGTH);
    at += AUTHENTICATOR_LENGTH;
  }
  at += body.copy(scratch, at);
  at += scratch.write(secret, at, "latin1");
  return hash("md5", scratch.subarray(0, at), "buffer");
}

/** RFC 2866 §3: MD5(Code | Identifier | Length | 16 zero octets | Attributes | Secret). */
export function accountingRequestAuthenticator(packet: Buffer, secret: string): Buffer {
  return md5With(packet.subarray(0, AUTHENTICATOR_OFFSET), null, packet.subarray(HEADER_LENGTH), secret);
}

/** RFC 3579 §3.2 for accounting: HMAC-MD5 with the authenticator field and the attribute's value zeroed. */
export function accountingMessageAuthenticator(packet: Buffer, valueOffset: number, secret: string): Buffer {
  const copy = Buffer.from(packet);
  copy.fill(0, AUTHENTICATOR_OFFSET, AUTHENTICATOR_OFFSET + AUTHENTICATOR_LENGTH);
  copy.fill(0, valueOffset, valueOffset + 16);
  return createHmac("md5", Buffer.from(secret, "latin1")).update(copy).digest();
}

/** RFC 3579 §3.2 for Status-Server (RFC 5997 §3): the Request Authenticator as sent, only the attribute's value zeroed. */
function statusServerMessageAuthenticator(packet: Buffer, valueOffset: number, secret: string): Buffer {
  const copy = Buffer.from(packet);
  copy.fill(0, valueOffset, valueOffset + 16);
  return createHmac("md5", Buffer.from(secret, "latin1")).update(copy).digest();
}

/**
 * Verifies an Accounting-Request or a Status-Server against the candidate secrets (client's own
 * current/previous, else global current/previous). Never throws on input.
 */
export function verifyRequest(datagram: Buffer, candidates: SecretCandidates): Verification {
  const structure = parseStructure(datagram);
  if (!structure) return { ok: false, reason: "malformed" };
  const { packet, attributes } = structure;
  if (packet[0] === CODE.statusServer) return verifyStatusServer(packet, attributes, candidates.secrets);
  if (packet[0] !== CODE.accountingRequest) return { ok: false, reason: "unsupported_code" };
  const received = packet.subarray(AUTHENTICATOR_OFFSET, AUTHENTICATOR_OFFSET + AUTHENTICATOR_LENGTH);
  const secret = candidates.secrets.find((s) => timingSafeEqual(accountingRequestAuthenticator(packet, s), received));
  if (secret === undefined) return { ok: false, reason: "bad_authenticator" };

  const messageAuthenticators = attributes.filter((a) => a.type === ATTR.messageAuthenticator);
  if (messageAuthenticators.length > 1) return { ok: false, reason: "bad_message_authenticator" };
  const ma = messageAuthenticators[0];
  if (ma) {
    if (ma.value.length !== 16) return { ok: false, reason: "bad_message_authenticator" };
    if (!timingSafeEqual(accountingMessageAuthenticator(packet, ma.offset, secret), ma.value)) {
      return { ok: false, reason: "bad_message_authenticator" };
    }
  } else if (candidates.requireMessageAuthenticator) {
    return { ok: false, reason: "bad_message_authenticator" };
  }
  return { ok: true, kind: "accounting", packet, identifier: packet[1]!, attributes, secret };
}

/** RFC 5997 §3: the Request Authenticator is random, so only a Message-Authenticator (required) proves the secret. */
function verifyStatusServer(packet: Buffer, attributes: RawAttribute[], secrets: string[]): Verification {
  const messageAuthenticators = attributes.filter((a) => a.type === ATTR.messageAuthenticator);
  const ma = messageAuthenticators[0];
  if (messageAuthenticators.length !== 1 || ma!.value.length !== 16)
    return { ok: false, reason: "bad_message_authenticator" };
  const secret = secrets.find((s) =>
    timingSafeEqual(statusServerMessageAuthenticator(packet, ma!.offset, s), ma!.value),
  );
  if (secret === undefined) return { ok: false, reason: "bad_message_authenticator" };
  return { ok: true, kind: "status-server", packet, identifier: packet[1]!, attributes, secret };
}

const attribute = (type: number, value: Buffer) => Buffer.concat([Buffer.from([type, value.length + 2]), value]);

/**
 * The Accounting-Response to a verified request (RFC 2866 §3): every Proxy-State copied unmodified and in order
 * (RFC 2865 §5.33); to a Status-Server, also a Message-Authenticator, first (RFC 5997 §3, BlastRADIUS advice).
 * Response Authenticator: MD5(5 | Id | Length | Request Authenticator | Attributes | Secret).
 */
export function encodeAccountingResponse(verified: Extract<Verification, { ok: true }>): Buffer {
  const { packet: request, secret } = verified;
  const proxyStates = verified.attributes
    .filter((a) => a.type === ATTR.proxyState)
    .map((a) => attribute(ATTR.proxyState, a.value));
  const withMa = verified.kind === "status-server";
  const body = Buffer.concat([
    ...(withMa ? [attribute(ATTR.messageAuthenticator, Buffer.alloc(16))] : []),
    ...proxyStates,
  ]);
  const response = Buffer.alloc(HEADER_LENGTH + body.length);
  response[0] = CODE.accountingResponse;
  response[1] = request[1]!;
  response.writeUInt16BE(response.length, 2);
  const requestAuthenticator = request.subarray(AUTHENTICATOR_OFFSET, AUTHENTICATOR_OFFSET + AUTHENTICATOR_LENGTH);
  body.copy(response, HEADER_LENGTH);
  if (withMa) {
    // RFC 3579 §3.2: over the response with the Request Authenticator in place and the value zeroed.
    requestAuthenticator.copy(response, AUTHENTICATOR_OFFSET);
    createHmac("md5", Buffer.from(secret, "latin1"))
      .update(response)
      .digest()
      .copy(response, HEADER_LENGTH + 2);
  }
  md5With(
    response.subarray(0, AUTHENTICATOR_OFFSET),
    requestAuthenticator,
    response.subarray(HEADER_LENGTH),
    secret,
  ).copy(response, AUTHENTICATOR_OFFSET);
  return response;
}
