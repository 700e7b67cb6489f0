// X.509 rules shared by the portal (what an admin may enter) and the sensor (what a RadSec peer presents).
import { X509Certificate } from "node:crypto";
import { z } from "zod";

/** What the sensor knows of a RadSec client's verified certificate. */
export interface PeerCertificate {
  /** SHA-256 fingerprint, upper-case hex with colons (Node's form). */
  fingerprint256: string;
  /** The subject's CN and every subjectAltName value (DNS, IP, URI, email), lower-case. */
  names: string[];
}

export function peerCertificateOf(cert: X509Certificate): PeerCertificate {
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
  // subjectAltName: "DNS:a, IP Address:1.2.3.4, URI:…, email:…"; the value is after the first colon.
  const sans = (cert.subjectAltName ?? "")
    .split(/,\s*/)
    .filter(Boolean)
    .map((entry) => entry.slice(entry.indexOf(":") + 1));
  return { fingerprint256: cert.fingerprint256, names: [...(cn ? [cn] : []), ...sans].map((n) => n.toLowerCase()) };
}

const FINGERPRINT = /^(?:sha256:)?((?:[0-9a-f]{2}:?){31}[0-9a-f]{2})$/i;

/**
 * A RADIUS client's certificate binding, as an admin writes it: a SHA-256 fingerprint (hex, colons optional,
 * "sha256:" optional) or a name that must be the certificate's subject CN or one of its subjectAltNames.
 * Stored normalized: "sha256:AB:CD:…" or the lower-case name.
 */
export const CertificateBindingSchema = z
  .string({ error: "certificate must be a SHA-256 fingerprint or a certificate name." })
  .trim()
  .min(1, { error: "certificate must be a SHA-256 fingerprint or a certificate name." })
  .max(255, { error: "certificate is at most 255 characters." })
  .refine((s) => !/[\s\u0000]/.test(s) || FINGERPRINT.test(s), {
    error: "certificate must be a SHA-256 fingerprint or a certificate name (no spaces).",
  })
  .transform(normalizeCertificateBinding);

export function normalizeCertificateBinding(text: string): string {
  const fp = FINGERPRINT.exec(text.trim());
  if (fp) return `sha256:${fp[1]!.replace(/:/g, "").toUpperCase().match(/../g)!.join(":")}`;
  return text.trim().toLowerCase();
}

/** Does the presented certificate satisfy the binding (null: any certificate the CA signed)? */
export function certificateMatchesBinding(binding: string | null, cert: PeerCertificate | undefined): boolean {
  if (binding === null) return true;
  if (!cert) return false;
  if (binding.startsWith("sha256:")) return cert.fingerprint256 === binding.slice(7);
  return cert.names.includes(binding);
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  fingerprint256: string;
  validTo: string;
  ca: boolean;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
export const MAX_CA_BUNDLE_BYTES = 256 * 1024;

/** The certificates of a PEM bundle, or an error in words; anything but CERTIFICATE blocks is refused. */
export function parseCertificateBundle(
  pem: string,
): { ok: true; certificates: CertificateSummary[] } | { ok: false; message: string } {
  if (Buffer.byteLength(pem) > MAX_CA_BUNDLE_BYTES)
    return { ok: false, message: `The CA bundle is larger than ${MAX_CA_BUNDLE_BYTES / 1024} KB.` };
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (!blocks.length)
    return { ok: false, message: "No certificate found: paste PEM text (-----BEGIN CERTIFICATE----- …)." };
  if (/PRIVATE KEY-----/.test(pem))
    return { ok: false, message: "That text holds a private key: upload only the CA certificate(s)." };
  const certificates: CertificateSummary[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      const cert = new X509Certificate(block);
      certificates.push({
        subject: cert.subject.replace(/\n/g, ", "),
        issuer: cert.issuer.replace(/\n/g, ", "),
        fingerprint256: cert.fingerprint256,
        validTo: new Date(cert.validTo).toISOString(),
        ca: cert.ca,
      });
    } catch {
      return {
        ok: false,
        message: `Certificate ${i + 1} of the bundle cannot be read (not a valid X.509 certificate).`,
      };
    }
  }
  return { ok: true, certificates };
}
