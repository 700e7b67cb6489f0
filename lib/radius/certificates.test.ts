import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createTestCa } from "../testing/test-pki.ts";
import {
  CertificateBindingSchema,
  certificateMatchesBinding,
  parseCertificateBundle,
  peerCertificateOf,
} from "./certificates.ts";

describe("RadSec certificate bindings", () => {
  it("normalizes a fingerprint in any common spelling, and a name to lower case", () => {
    const hex = "ab".repeat(32);
    const expected = `sha256:${"AB:".repeat(31)}AB`;
    expect(CertificateBindingSchema.parse(hex)).toBe(expected);
    expect(CertificateBindingSchema.parse(`SHA256:${"ab:".repeat(31)}ab`)).toBe(expected);
    expect(CertificateBindingSchema.parse(" Proxy.Contoso.TEST ")).toBe("proxy.contoso.test");
    expect(CertificateBindingSchema.safeParse("two words").success).toBe(false);
    expect(CertificateBindingSchema.safeParse("").success).toBe(false);
    expect(CertificateBindingSchema.safeParse("x".repeat(256)).success).toBe(false);
  });

  it("matches a presented certificate by fingerprint, CN or subjectAltName; null accepts any", async () => {
    const ca = await createTestCa("Binding CA");
    const issued = await ca.issue("proxy.contoso.test", { dns: ["radius-2.contoso.test"] });
    const cert = peerCertificateOf(new X509Certificate(issued.certPem));
    expect(certificateMatchesBinding(null, cert)).toBe(true);
    expect(
      certificateMatchesBinding(
        CertificateBindingSchema.parse(cert.fingerprint256.replace(/:/g, "").toLowerCase()),
        cert,
      ),
    ).toBe(true);
    expect(certificateMatchesBinding(CertificateBindingSchema.parse("PROXY.contoso.test"), cert)).toBe(true);
    expect(certificateMatchesBinding(CertificateBindingSchema.parse("radius-2.contoso.test"), cert)).toBe(true);
    expect(certificateMatchesBinding(CertificateBindingSchema.parse("other.contoso.test"), cert)).toBe(false);
    expect(certificateMatchesBinding(CertificateBindingSchema.parse("ab".repeat(32)), cert)).toBe(false);
    expect(certificateMatchesBinding("proxy.contoso.test", undefined)).toBe(false);
  });
});

describe("CA bundles", () => {
  it("reads every certificate of a bundle and refuses text that is not one, or holds a private key", async () => {
    const a = await createTestCa("First CA");
    const b = await createTestCa("Second CA");
    const parsed = parseCertificateBundle(`${a.certPem}\n${b.certPem}`);
    expect(parsed.ok && parsed.certificates.map((c) => [c.subject, c.ca])).toEqual([
      ["CN=First CA", true],
      ["CN=Second CA", true],
    ]);
    expect(parseCertificateBundle("hello")).toEqual({
      ok: false,
      message: expect.stringContaining("No certificate found"),
    });
    expect(parseCertificateBundle(a.certPem + a.keyPem)).toEqual({
      ok: false,
      message: expect.stringContaining("private key"),
    });
    expect(parseCertificateBundle(`-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`)).toEqual({
      ok: false,
      message: expect.stringContaining("Certificate 1 of the bundle cannot be read"),
    });
  });
});
