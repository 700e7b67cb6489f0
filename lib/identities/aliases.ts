import { z } from "zod";
import type { Db } from "../db/prisma.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { recordAudit, type Actor } from "../audit/record.ts";
import { notifyConfigChanged } from "../config/notify.ts";
import { conflict, notFound } from "../errors.ts";
import { mergeCounts, reattribute } from "./reattribute.ts";
import { parseUserName } from "./resolve-identity.ts";

const NameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, "Enter a name.")
  .max(320)
  .refine((s) => parseUserName(s)?.form !== "bare", "Use a UPN (user@domain) or DOMAIN\\user.");

export const AliasSchema = z
  .object({ alias: NameSchema, identity: z.string().trim().toLowerCase().min(1).max(320) })
  .strict();
export const DomainMappingSchema = z
  .object({
    netbiosDomain: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9][a-z0-9._-]{0,14}$/, "A NetBIOS domain is 1–15 letters, digits, '.', '_' or '-'."),
    upnSuffix: z
      .string()
      .trim()
      .toLowerCase()
      .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, "A UPN suffix looks like contoso.com."),
  })
  .strict();

/** The identities written DOMAIN\user for a NetBIOS domain (lowercase). */
function domainMembers(db: Pick<Prisma.TransactionClient, "$queryRaw">, netbiosDomain: string) {
  const prefix = `${netbiosDomain}\\`;
  return db.$queryRaw<{ identity: string }[]>`SELECT identity FROM "Identity" WHERE starts_with(identity, ${prefix})`;
}

/** What mapping this domain would merge: identities, their sessions and alerts (nothing is changed). */
export async function previewDomainMapping(db: Db, input: z.output<typeof DomainMappingSchema>) {
  return mergeCounts(
    db,
    (await domainMembers(db, input.netbiosDomain)).map((o) => o.identity),
  );
}

/** What adding this alias would merge into its identity (nothing is changed). */
export async function previewIdentityAlias(db: Db, input: z.output<typeof AliasSchema>) {
  return mergeCounts(db, [input.alias]);
}

/** NetBIOS domains seen in identities (DOMAIN\user) that no mapping covers, most identities first. */
export async function unmappedDomains(db: Db): Promise<{ netbiosDomain: string; identities: number }[]> {
  return db.$queryRaw`
    SELECT split_part(identity, '\\', 1) AS "netbiosDomain", count(*)::int AS identities
      FROM "Identity" WHERE position('\\' IN identity) > 1
     GROUP BY 1 HAVING split_part(identity, '\\', 1) NOT IN (SELECT "netbiosDomain" FROM "DomainMapping")
     ORDER BY 2 DESC, 1 LIMIT 20`;
}

export async function listIdentityMappings(db: Db) {
  const [aliases, domains] = await Promise.all([
    db.identityAlias.findMany({ orderBy: { alias: "asc" } }),
    db.domainMapping.findMany({ orderBy: { netbiosDomain: "asc" } }),
  ]);
  return { aliases, domains };
}

export async function addIdentityAlias(db: Db, input: z.output<typeof AliasSchema>, actor: Actor) {
  const { alias, identity } = input;
  if (alias === identity) throw conflict("An identity cannot be its own alias.");
  return db.$transaction(async (tx) => {
    if (await tx.identityAlias.findUnique({ where: { alias } })) throw conflict(`${alias} is already an alias.`);
    if (await tx.identityAlias.findUnique({ where: { alias: identity } }))
      throw conflict(`${identity} is itself an alias; attach to its primary identity.`);
    const row = await tx.identityAlias.create({ data: { alias, identity } });
    const merged = await mergeCounts(tx, [alias]);
    await reattribute(tx, new Map([[alias, identity]]));
    await recordAudit(tx, actor, {
      action: "identity-alias.create",
      target: `identity:${identity}`,
      changes: { alias: { to: alias }, merged },
    });
    await notifyConfigChanged(tx, "identity-mappings");
    return row;
  });
}

export async function removeIdentityAlias(db: Db, alias: string, actor: Actor): Promise<void> {
  await db.$transaction(async (tx) => {
    const row = await tx.identityAlias.findUnique({ where: { alias: alias.toLowerCase() } });
    if (!row) throw notFound("No such alias.");
    await tx.identityAlias.delete({ where: { alias: row.alias } });
    await recordAudit(tx, actor, {
      action: "identity-alias.delete",
      target: `identity:${row.identity}`,
      changes: { alias: { from: row.alias } },
    });
    await notifyConfigChanged(tx, "identity-mappings");
  });
}

export async function addDomainMapping(db: Db, input: z.output<typeof DomainMappingSchema>, actor: Actor) {
  const { netbiosDomain, upnSuffix } = input;
  return db.$transaction(async (tx) => {
    if (await tx.domainMapping.findUnique({ where: { netbiosDomain } }))
      throw conflict(`${netbiosDomain} is already mapped.`);
    const row = await tx.domainMapping.create({ data: { netbiosDomain, upnSuffix } });
    const old = await domainMembers(tx, netbiosDomain);
    const merged = await mergeCounts(
      tx,
      old.map((o) => o.identity),
    );
    const prefix = `${netbiosDomain}\\`;
    await reattribute(
      tx,
      new Map(old.map(({ identity }) => [identity, `${identity.slice(prefix.length)}@${upnSuffix}`])),
    );
    await recordAudit(tx, actor, {
      action: "domain-mapping.create",
      target: `domain:${netbiosDomain}`,
      changes: { upnSuffix: { to: upnSuffix }, merged },
    });
    await notifyConfigChanged(tx, "identity-mappings");
    return row;
  });
}

export async function removeDomainMapping(db: Db, netbiosDomain: string, actor: Actor): Promise<void> {
  await db.$transaction(async (tx) => {
    const row = await tx.domainMapping.findUnique({ where: { netbiosDomain: netbiosDomain.toLowerCase() } });
    if (!row) throw notFound("No such domain mapping.");
    await tx.domainMapping.delete({ where: { netbiosDomain: row.netbiosDomain } });
    await recordAudit(tx, actor, {
      action: "domain-mapping.delete",
      target: `domain:${row.netbiosDomain}`,
      changes: { upnSuffix: { from: row.upnSuffix } },
    });
    await notifyConfigChanged(tx, "identity-mappings");
  });
}
