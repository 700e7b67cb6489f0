import { readEnv, dataDirOf } from "./config/env.ts";
import { loadSecretKey, openSecret, sealSecret } from "./secret-box.ts";

// Purposes bind each sealed value to the field it belongs to (AES-GCM AAD).
export const SECRET_PURPOSE = {
  vpnSharedSecret: "vpn.sharedSecret",
  radiusClientSecret: (clientId: string) => `radiusClient.${clientId}.secret`,
  alertWebhookSecret: "alertForwarding.webhookSecret",
} as const;

let cachedKey: Buffer | undefined;

/** The installation's secret key, loaded once per process. */
export function installationKey(): Buffer {
  if (!cachedKey) {
    const env = readEnv();
    cachedKey = loadSecretKey(dataDirOf(env), env.VPNSIGHT_SECRET_KEY);
  }
  return cachedKey;
}

export const seal = (plaintext: string, purpose: string) => sealSecret(installationKey(), plaintext, purpose);
export const unseal = (sealed: string, purpose: string) => openSecret(installationKey(), sealed, purpose);
