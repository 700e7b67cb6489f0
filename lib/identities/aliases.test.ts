import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionEvent } from "../testing/session-event.ts";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import type { SessionEvent } from "../sessions/accounting-record.ts";
import { writeAccountingRecords } from "../sessions/store.ts";
import { redirectedIdentity } from "./reattribute.ts";
import {
  addDomainMapping,
  addIdentityAlias,
  previewDomainMapping,
  previewIdentityAlias,
  unmappedDomains,
  removeIdentityAlias,
  AliasSchema,
  DomainMappingSchema,
} from "./aliases.ts";
import { IdentityListQuerySchema, listIdentities } from "./views.ts";
import { parseInput } from "../errors.ts";

let t: TestDatabase;
const actor = { label: "user:admin@contoso.com" };
const start = (identity: string, userName: string, id: string, daysAgo: number): SessionEvent =>
  sessionEvent({
    sessionKey: id,
    identity,
    userName,
    vendor: "microsoft",
    eventTime: new Date(Date.now() - daysAgo * 86_400_000).toISOString(),
  });

beforeAll(async () => {
  t = await createTestDatabase();
  await writeAccountingRecords(
    t.pool,
    [
      start("bob@contoso.com", "bob@contoso.com", "A", 3),
      start("contoso\\bob", "CONTOSO\\bob", "B", 10),
      start("robert@contoso.onmicrosoft.com", "robert@contoso.onmicrosoft.com", "C", 1),
    ],
    "test",
  );
});
afterAll(async () => {
  await t.drop();
});

const identities = async () =>
  (await listIdentities(t.db, IdentityListQuerySchema.parse({ sort: "identity", dir: "asc" }))).items.map((i) => [
    i.identity,
    i.sessions30d,
  ]);

describe("aliases and domain mappings", () => {
  it("mapping a NetBIOS domain moves past DOMAIN\\user sessions to the UPN identity", async () => {
    expect(await identities()).toEqual([
      ["bob@contoso.com", 1],
      ["contoso\\bob", 1],
      ["robert@contoso.onmicrosoft.com", 1],
    ]);
    await addDomainMapping(
      t.db,
      parseInput(DomainMappingSchema, { netbiosDomain: "CONTOSO", upnSuffix: "Contoso.com" }),
      actor,
    );
    expect(await identities()).toEqual([
      ["bob@contoso.com", 2],
      ["robert@contoso.onmicrosoft.com", 1],
    ]);
    expect(await t.query(`SELECT DISTINCT identity FROM "VpnSessionEvent" ORDER BY 1`)).toEqual([
      { identity: "bob@contoso.com" },
      { identity: "robert@contoso.onmicrosoft.com" },
    ]);
  });

  it("an alias moves past sessions and alerts to the primary identity, audited, and validates input", async () => {
    await t.query(
      `INSERT INTO "Alert" ("dedupeKey", rule, severity, identity, "occurredAt", evidence, "updatedAt")
       VALUES ('robert|x', 'impossible-travel', 'medium', 'robert@contoso.onmicrosoft.com', now(), '{}', now())`,
    );
    await addIdentityAlias(
      t.db,
      parseInput(AliasSchema, { alias: "Robert@Contoso.onmicrosoft.com", identity: "bob@contoso.com" }),
      actor,
    );
    expect(await identities()).toEqual([["bob@contoso.com", 3]]);
    expect(await t.query(`SELECT identity FROM "Alert" WHERE "dedupeKey" = 'robert|x'`)).toEqual([
      { identity: "bob@contoso.com" },
    ]);
    const identity = await t.db.identity.findUniqueOrThrow({ where: { identity: "bob@contoso.com" } });
    expect(identity.lastSeenAt.getTime()).toBeGreaterThan(Date.now() - 2 * 86_400_000);
    await expect(async () =>
      addIdentityAlias(
        t.db,
        parseInput(AliasSchema, { alias: "robert@contoso.onmicrosoft.com", identity: "bob@contoso.com" }),
        actor,
      ),
    ).rejects.toThrow(/already an alias/);
    await expect(async () =>
      addIdentityAlias(t.db, parseInput(AliasSchema, { alias: "justbob", identity: "bob@contoso.com" }), actor),
    ).rejects.toThrow(/UPN/);
    await expect(async () =>
      addDomainMapping(
        t.db,
        parseInput(DomainMappingSchema, { netbiosDomain: "bad domain!", upnSuffix: "x.com" }),
        actor,
      ),
    ).rejects.toThrow(/NetBIOS/);
    await removeIdentityAlias(t.db, "robert@contoso.onmicrosoft.com", actor);
    expect((await t.db.auditEntry.findMany({ orderBy: { id: "asc" } })).map((a) => a.action)).toEqual([
      "domain-mapping.create",
      "identity-alias.create",
      "identity-alias.delete",
    ]);
  });

  it("keeps the earliest first sighting when older sessions were already deleted by the retention", async () => {
    await writeAccountingRecords(
      t.pool,
      [start("carol@contoso.com", "carol@contoso.com", "D", 5), start("cj@contoso.com", "cj@contoso.com", "E", 2)],
      "test",
    );
    const longAgo = new Date(Date.now() - 400 * 86_400_000); // cj's first VPN use, its sessions since purged
    await t.query(`UPDATE "Identity" SET "firstSeenAt" = $1 WHERE identity = 'cj@contoso.com'`, [longAgo]);
    await addIdentityAlias(
      t.db,
      parseInput(AliasSchema, { alias: "cj@contoso.com", identity: "carol@contoso.com" }),
      actor,
    );
    const carol = await t.db.identity.findUniqueOrThrow({ where: { identity: "carol@contoso.com" } });
    expect(carol.firstSeenAt).toEqual(longAgo);
    expect(await t.db.identity.findUnique({ where: { identity: "cj@contoso.com" } })).toBeNull();
  });
});

describe("the identity summary after a merge", () => {
  it("follows the store's rule: last seen is the latest event, the last location the latest session with a public IP", async () => {
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
    await writeAccountingRecords(
      t.pool,
      [
        sessionEvent({ sessionKey: "S1", identity: "sam@contoso.com", eventTime: at(2), publicIp: "81.2.69.160" }),
        // A later session whose NAS sent no public IP: it moves last seen, not the last location.
        sessionEvent({ sessionKey: "S2", identity: "sam@contoso.com", eventTime: at(1) }),
      ],
      "test",
    );
    const summary = () =>
      t.query<Record<string, unknown>>(
        `SELECT "firstSeenAt", "lastSeenAt", "lastPublicIp", "lastLocationKind" FROM "Identity" WHERE identity = 'sam@contoso.com'`,
      );
    const byStore = await summary();
    expect(byStore[0]).toMatchObject({ lastPublicIp: "81.2.69.160" });
    // An alias that touches the identity rebuilds its summary from its sessions: the same row.
    await addIdentityAlias(
      t.db,
      parseInput(AliasSchema, { alias: "contoso\\sam", identity: "sam@contoso.com" }),
      actor,
    );
    expect(await summary()).toEqual(byStore);
  });
});

describe("merges keep their way back", () => {
  it("previews what will merge, suggests unmapped domains, and redirects old keys (chains collapse)", async () => {
    await writeAccountingRecords(
      t.pool,
      [
        start("fabrikam\\xena", "FABRIKAM\\xena", "F1", 2),
        start("fabrikam\\xena", "FABRIKAM\\xena", "F2", 1),
        start("fabrikam\\yan", "FABRIKAM\\yan", "F3", 1),
        start("zoe@fabrikam.com", "zoe@fabrikam.com", "F4", 1),
      ],
      "test",
    );
    await t.query(
      `INSERT INTO "Alert" ("dedupeKey", rule, severity, identity, "occurredAt", evidence, "updatedAt")
       VALUES ('xena|1', 'impossible-travel', 'high', 'fabrikam\\xena', now(), '{}', now())`,
    );
    expect(await unmappedDomains(t.db)).toContainEqual({ netbiosDomain: "fabrikam", identities: 2 });
    const mapping = parseInput(DomainMappingSchema, { netbiosDomain: "FABRIKAM", upnSuffix: "fabrikam.com" });
    expect(await previewDomainMapping(t.db, mapping)).toEqual({ identities: 2, sessions: 3, alerts: 1 });
    await addDomainMapping(t.db, mapping, actor);
    expect(await unmappedDomains(t.db)).not.toContainEqual(expect.objectContaining({ netbiosDomain: "fabrikam" }));
    expect(await redirectedIdentity(t.db, "fabrikam\\xena")).toBe("xena@fabrikam.com");
    expect(await t.query(`SELECT identity FROM "Alert" WHERE "dedupeKey" = 'xena|1'`)).toEqual([
      { identity: "xena@fabrikam.com" },
    ]);
    const audit = await t.db.auditEntry.findFirst({
      where: { action: "domain-mapping.create" },
      orderBy: { id: "desc" },
    });
    expect(audit?.changes).toMatchObject({ merged: { identities: 2, sessions: 3, alerts: 1 } });
    // xena merges again, into zoe: the first redirect follows.
    const alias = parseInput(AliasSchema, { alias: "xena@fabrikam.com", identity: "zoe@fabrikam.com" });
    expect(await previewIdentityAlias(t.db, alias)).toEqual({ identities: 1, sessions: 2, alerts: 1 });
    await addIdentityAlias(t.db, alias, actor);
    expect(await redirectedIdentity(t.db, "fabrikam\\xena")).toBe("zoe@fabrikam.com");
    expect(await redirectedIdentity(t.db, "xena@fabrikam.com")).toBe("zoe@fabrikam.com");
    expect(await redirectedIdentity(t.db, "zoe@fabrikam.com")).toBeNull();
  });
});
