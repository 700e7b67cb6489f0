import { describe, expect, it } from "vitest";
import { NO_MAPPINGS, UNKNOWN_IDENTITY, parseUserName, resolveIdentity, directoryIndex } from "./resolve-identity.ts";

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

describe("directory accounts", () => {
  const accounts = [
    {
      userPrincipalName: "Alice@contoso.test",
      samAccountName: "alice",
      netbiosDomain: "CONTOSO",
      mail: "alice.smith@contoso.test",
      proxyAddresses: ["alice@contoso.com"],
    },
    {
      userPrincipalName: "bob@contoso.test",
      samAccountName: "bob",
      netbiosDomain: "CONTOSO",
      mail: null,
      proxyAddresses: [],
    },
    // Another domain's "bob": a bare "bob" could be either, so it resolves to neither.
    {
      userPrincipalName: "bob@fabrikam.test",
      samAccountName: "bob",
      netbiosDomain: "FABRIKAM",
      mail: null,
      proxyAddresses: [],
    },
  ];
  const mappings = { ...NO_MAPPINGS, directory: directoryIndex(accounts, ["contoso.test", "corp.contoso.com"]) };

  it("resolves the UPN, DOMAIN\\user, mail, proxy addresses and a unique bare name to the account's UPN", () => {
    for (const name of [
      "alice@contoso.test",
      "CONTOSO\\alice",
      "contoso\\ALICE",
      "alice",
      "Alice.Smith@contoso.test",
      "alice@contoso.com",
    ])
      expect(resolveIdentity(name, mappings), name).toBe("alice@contoso.test");
    expect(resolveIdentity("FABRIKAM\\bob", mappings)).toBe("bob@fabrikam.test");
    // sAMAccountName@ a UPN suffix of the forest; two accounts named bob make bob@corp.contoso.com no one's.
    expect(resolveIdentity("alice@corp.contoso.com", mappings)).toBe("alice@contoso.test");
    expect(resolveIdentity("bob@corp.contoso.com", mappings)).toBe("bob@corp.contoso.com");
    expect(resolveIdentity("bob", mappings)).toBe("bob");
    expect(resolveIdentity("mallory@contoso.test", mappings)).toBe("mallory@contoso.test");
  });

  it("a UPN wins over another account's alternate name for it", () => {
    const index = directoryIndex([
      ...accounts,
      {
        userPrincipalName: "carol@contoso.test",
        samAccountName: "carol",
        netbiosDomain: "CONTOSO",
        mail: "bob@contoso.test",
        proxyAddresses: [],
      },
    ]);
    expect(index.get("bob@contoso.test")).toBe("bob@contoso.test");
  });

  it("lets a manual alias win over the directory", () => {
    const withAlias = { ...mappings, aliasToPrimary: new Map([["contoso\\alice", "alice-admin@contoso.test"]]) };
    expect(resolveIdentity("CONTOSO\\alice", withAlias)).toBe("alice-admin@contoso.test");
  });
});
