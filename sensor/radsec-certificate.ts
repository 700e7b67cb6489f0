// The RadSec server's own certificate: from RADSEC_CERT/RADSEC_KEY, or generated self-signed into the data
// directory on first start (an admin pins it in the proxy or NAS by its file or SHA-256 fingerprint).
import "reflect-metadata"; // @peculiar/x509 resolves its ASN.1 services through tsyringe, which needs it
import { X509Certificate, webcrypto } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import * as x509 from "@peculiar/x509";
import { localAddresses } from "./udp-listener.ts";

export interface ServerCertificate {
  certPem: string;
  keyPem: string;
  fingerprint256: string;
  /** "file" (RADSEC_CERT/RADSEC_KEY) or "generated" (self-signed, in $VPNSIGHT_DATA_DIR/radsec). */
  source: "file" | "generated";
}

const VALID_YEARS = 10;

export async function serverCertificate(opts: {
  certFile?: string;
  keyFile?: string;
  dataDir: string;
  log: (msg: string) => void;
}): Promise<ServerCertificate> {
  if (opts.certFile || opts.keyFile) {
    if (!opts.certFile || !opts.keyFile)
      throw new Error("RADSEC_CERT and RADSEC_KEY go together: set both, or neither for a generated certificate.");
    const certPem = readFile(opts.certFile, "RADSEC_CERT");
    const keyPem = readFile(opts.keyFile, "RADSEC_KEY");
    return { certPem, keyPem, fingerprint256: fingerprintOf(certPem, "RADSEC_CERT"), source: "file" };
  }
  const dir = path.join(opts.dataDir, "radsec");
  const certFile = path.join(dir, "server.crt");
  const keyFile = path.join(dir, "server.key");
  if (!fs.existsSync(certFile) || !fs.existsSync(keyFile)) {
    const { certPem, keyPem } = await generateSelfSigned(os.hostname());
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(keyFile + ".tmp", keyPem, { mode: 0o600 });
    fs.writeFileSync(certFile + ".tmp", certPem, { mode: 0o644 });
    fs.renameSync(keyFile + ".tmp", keyFile);
    fs.renameSync(certFile + ".tmp", certFile);
    opts.log(`RadSec: generated a self-signed server certificate in ${certFile}`);
  }
  const certPem = fs.readFileSync(certFile, "utf8");
  return {
    certPem,
    keyPem: fs.readFileSync(keyFile, "utf8"),
    fingerprint256: fingerprintOf(certPem, certFile),
    source: "generated",
  };
}

function readFile(file: string, name: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(`${name}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function fingerprintOf(pem: string, where: string): string {
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch {
    throw new Error(`${where} is not a PEM certificate.`);
  }
}

/** ECDSA P-256, CN = host name, subjectAltNames = the host's names and addresses now (for peers that check them). */
async function generateSelfSigned(hostname: string): Promise<{ certPem: string; keyPem: string }> {
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as CryptoKeyPair;
  const addresses = [...new Set(["127.0.0.1", "::1", ...localAddresses().filter((a) => !a.includes("%"))])];
  const notBefore = new Date(Date.now() - 60_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
      .toString("hex")
      .replace(/^[89a-f]/, "1"),
    name: `CN=${hostname.replace(/[,+="\\<>;#]/g, "-")}, O=VPN Sight RadSec`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + VALID_YEARS * 365 * 86_400_000),
    signingAlgorithm: alg,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: "dns", value: hostname },
        { type: "dns", value: "localhost" },
        ...addresses.filter((a) => net.isIP(a)).map((value) => ({ type: "ip" as const, value })),
      ]),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey));
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8
    .toString("base64")
    .match(/.{1,64}/g)!
    .join("\n")}\n-----END PRIVATE KEY-----\n`;
  return { certPem: cert.toString("pem") + "\n", keyPem };
}
