import { describe, expect, it } from "vitest";
import { NO_MAPPINGS, UNKNOWN_IDENTITY, parseUserName, resolveIdentity } from "./resolve-identity.ts";

const mappings = {
  netbiosToUpnSuffix: new Map([["contoso", "contoso.com"]]),
  aliasToPrimary: new Map([
    ["bob@contoso.onmicrosoft.com", "bob@contoso.com"],
    ["fabrikam\\rsmith", "robert@contoso.com"],
  ]),
};

describe("identity normalization", () => {
  it("parses the three forms case-insensitively", () => {
    expect(parseUserName("Bob@Contoso.COM")).toEqual({ form: "upn", user: "bob", domain: "contoso.com" });
    expect(parseUserName("CONTOSO\\Bob")).toEqual({ form: "netbios", user: "bob", domain: "contoso" });
    expect(parseUserName(" bob ")).toEqual({ form: "bare", user: "bob", domain: null });
    expect(parseUserName("  ")).toBeNull();
  });

  it("resolves UPN, DOMAIN\\user (through the suffix mapping) and aliases to one identity", () => {
    expect(resolveIdentity("bob@contoso.com", mappings)).toBe("bob@contoso.com");
    expect(resolveIdentity("CONTOSO\\BOB", mappings)).toBe("bob@contoso.com");
    expect(resolveIdentity("Bob@Contoso.onmicrosoft.com", mappings)).toBe("bob@contoso.com");
    expect(resolveIdentity("FABRIKAM\\rsmith", mappings)).toBe("robert@contoso.com");
  });

  it("keeps unmapped names as written (lowercase), and marks a missing name unknown", () => {
    expect(resolveIdentity("OTHER\\alice", NO_MAPPINGS)).toBe("other\\alice");
    expect(resolveIdentity("alice", NO_MAPPINGS)).toBe("alice");
    expect(resolveIdentity(null, NO_MAPPINGS)).toBe(UNKNOWN_IDENTITY);
  });
});
