import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { readOrCreateSecretFile, randomBase64 } from "../data-files.ts";

/** The key is missing, malformed, or not the one that sealed the stored secrets. */
export class SecretKeyError extends Error {
  override name = "SecretKeyError";
}

const VERSION = "v1";

/**
 * Loads the AES-256 key: VPNSIGHT_SECRET_KEY (base64, 32 bytes) or, when unset,
 * `<dataDir>/secret.key`, generated once with mode 0600.
 */
export function loadSecretKey(dataDir: string, fromEnv: string | undefined): Buffer {
  const source = fromEnv ? "VPNSIGHT_SECRET_KEY" : `${dataDir}/secret.key`;
  const encoded = fromEnv ?? readOrCreateSecretFile(dataDir, "secret.key", () => randomBase64(32));
  const key = Buffer.from(encoded, "base64");
  if (key.length !== 32 || key.toString("base64") !== encoded.replace(/\s/g, "")) {
    throw new SecretKeyError(`${source} must be 32 bytes in base64 (e.g. \`openssl rand -base64 32\`).`);
  }
  return key;
}

/**
 * AES-256-GCM. `purpose` is authenticated data, so a value sealed for one
 * field cannot be moved into another.
 */
export function sealSecret(key: Buffer, plaintext: string, purpose: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(purpose));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
    .join(".");
}

export function openSecret(key: Buffer, sealed: string, purpose: string): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || body === undefined) {
    throw new SecretKeyError(`A stored secret (${purpose}) is not in a format this version understands.`);
  }
  try {
    // The tag's length pinned: a truncated tag (down to 4 bytes) would otherwise be accepted and be forgeable.
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(purpose));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretKeyError(
      `Cannot decrypt a stored secret (${purpose}): VPNSIGHT_SECRET_KEY (or secret.key in the data dir) is not the key that encrypted it.`,
    );
  }
}

const KEY_CHECK_PURPOSE = "key-check";
const KEY_CHECK_PLAINTEXT = "vpnsight-key-check";

/** Value stored once per installation; opening it proves the key is the right one. */
export const keyCheckValue = (key: Buffer) => sealSecret(key, KEY_CHECK_PLAINTEXT, KEY_CHECK_PURPOSE);

export function assertKeyCheck(key: Buffer, stored: string): void {
  if (openSecret(key, stored, KEY_CHECK_PURPOSE) !== KEY_CHECK_PLAINTEXT) {
    throw new SecretKeyError("The secret key check failed: wrong VPNSIGHT_SECRET_KEY.");
  }
}
