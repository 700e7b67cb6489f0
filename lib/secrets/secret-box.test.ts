import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SecretKeyError, assertKeyCheck, keyCheckValue, loadSecretKey, openSecret, sealSecret } from "./secret-box.ts";

const key = randomBytes(32);

describe("secret box (AES-256-GCM)", () => {
  it("round-trips and never contains the plaintext", () => {
    const sealed = sealSecret(key, "correct horse battery staple", "vpn.sharedSecret");
    expect(sealed).not.toContain("correct horse");
    expect(sealed.startsWith("v1.")).toBe(true);
    expect(openSecret(key, sealed, "vpn.sharedSecret")).toBe("correct horse battery staple");
  });

  it("seals the same plaintext differently each time (random IV)", () => {
    expect(sealSecret(key, "same", "p")).not.toBe(sealSecret(key, "same", "p"));
  });

  it("refuses a wrong key with a clear error instead of garbage", () => {
    const sealed = sealSecret(key, "secret-value-123", "p");
    expect(() => openSecret(randomBytes(32), sealed, "p")).toThrow(SecretKeyError);
    expect(() => openSecret(randomBytes(32), sealed, "p")).toThrow(/not the key that encrypted it/);
  });

  it("refuses a truncated authentication tag", () => {
    const [version, iv, tag, body] = sealSecret(key, "secret-value-123", "p").split(".");
    const short = Buffer.from(tag!, "base64url").subarray(0, 4).toString("base64url");
    expect(() => openSecret(key, [version, iv, short, body].join("."), "p")).toThrow(SecretKeyError);
  });

  it("binds a value to its purpose and detects tampering", () => {
    const sealed = sealSecret(key, "secret-value-123", "vpn.sharedSecret");
    expect(() => openSecret(key, sealed, "radiusClient.x.secret")).toThrow(SecretKeyError);
    const parts = sealed.split(".");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString("base64url");
    expect(() => openSecret(key, parts.join("."), "vpn.sharedSecret")).toThrow(SecretKeyError);
  });

  it("key check detects a different installation key", () => {
    const stored = keyCheckValue(key);
    expect(() => assertKeyCheck(key, stored)).not.toThrow();
    expect(() => assertKeyCheck(randomBytes(32), stored)).toThrow(SecretKeyError);
  });
});

describe("loadSecretKey", () => {
  it("generates secret.key once with mode 0600 and reuses it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-key-"));
    const first = loadSecretKey(dir, undefined);
    expect(first).toHaveLength(32);
    expect(fs.statSync(path.join(dir, "secret.key")).mode & 0o777).toBe(0o600);
    expect(loadSecretKey(dir, undefined).equals(first)).toBe(true);
  });

  it("takes VPNSIGHT_SECRET_KEY and rejects a malformed one clearly", () => {
    const encoded = randomBytes(32).toString("base64");
    expect(loadSecretKey("/nonexistent", encoded).toString("base64")).toBe(encoded);
    expect(() => loadSecretKey("/nonexistent", "too-short")).toThrow(/32 bytes in base64/);
    expect(() => loadSecretKey("/nonexistent", randomBytes(16).toString("base64"))).toThrow(SecretKeyError);
  });
});
