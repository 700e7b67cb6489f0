import { installationKey } from "./installation-key.ts";
import { openSecret, sealSecret } from "./secret-box.ts";

// Purposes bind each sealed value to the field it belongs to (AES-GCM AAD).
export const SECRET_PURPOSE = {
  vpnSharedSecret: "vpn.sharedSecret",
  radiusClientSecret: (clientId: string) => `radiusClient.${clientId}.secret`,
  alertWebhookSecret: "alertForwarding.webhookSecret",
  directoryBindPassword: "directory.bindPassword",
} as const;

export const seal = (plaintext: string, purpose: string) => sealSecret(installationKey(), plaintext, purpose);
export const unseal = (sealed: string, purpose: string) => openSecret(installationKey(), sealed, purpose);
