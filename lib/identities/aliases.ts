import { z } from "zod";
import type { Db } from "../db/prisma.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { recordAudit, type Actor } from "../audit/record.ts";
import { notifyConfigChanged } from "../config/notify.ts";
import { conflict, notFound } from "../errors.ts";
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

/**
 * Moves past sessions from one identity key to another (an alias or a newly
 * mapped domain): the sensor resolves future ones itself after the NOTIFY.
 * This is the one update the portal makes to sessions, and only to the identity column.
 */
async function reattribute(tx: Prisma.TransactionClient, from: string[], to: (old: string) => string): Promise<void> {
  const targets = new Set<string>();
  for (const old of from) {
    const target = to(old);
    if (target === old) continue;
    await tx.$executeRaw`UPDATE "VpnSession" SET identity = ${target} WHERE identity = ${old}`;
    await tx.$executeRaw`UPDATE "VpnSessionEvent" SET identity = ${target} WHERE identity = ${old}`;
    targets.add(target);
  }
  const touched = [...from, ...targets];
  if (!touched.length) return;
  // First sightings can be older than any session left (RETENTION_DAYS): carry the earliest over.
  const earliest = new Map<string, Date>();
  for (const row of await tx.identity.findMany({
    where: { identity: { in: touched } },
    select: { identity: true, firstSeenAt: true },
  })) {
    const into = from.includes(row.identity) ? to(row.identity) : row.identity;
    const known = earliest.get(into);
    if (!known || row.firstSeenAt < known) earliest.set(into, row.firstSeenAt);
  }
  // Rebuild the summary rows of every identity involved from its sessions, by the store's rule
  // (lib/sessions/store.ts): last seen is the latest event time (a session's lastUpdateAt), the last location
  // is that of the latest session with a public IP.
  await tx.identity.deleteMany({ where: { identity: { in: touched } } });
  for (const identity of touched) {
    await tx.$executeRaw`
      INSERT INTO "Identity" (identity, "firstSeenAt", "lastSeenAt", "lastPublicIp", "lastCountryCode", "lastCountry", "lastCity", "lastLocationKind")
      SELECT ${identity}, LEAST(a.first, ${earliest.get(identity) ?? null}::timestamptz), a.last,
             l."publicIp", l."countryCode", l.country, l.city, l."locationKind"
      FROM (SELECT min("startedAt") AS first, max("lastUpdateAt") AS last FROM "VpnSession" WHERE identity = ${identity}) a
      LEFT JOIN LATERAL (SELECT "publicIp", "countryCode", country, city, "locationKind" FROM "VpnSession"
                         WHERE identity = ${identity} AND "publicIp" IS NOT NULL
                         ORDER BY "lastUpdateAt" DESC LIMIT 1) l ON true
      WHERE a.last IS NOT NULL`;
  }
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
    await reattribute(tx, [alias], () => identity);
    await recordAudit(tx, actor, {
      action: "identity-alias.create",
      target: `identity:${identity}`,
      changes: { alias: { to: alias } },
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
    const prefix = `${netbiosDomain}\\`;
    const old = await tx.$queryRaw<
      { identity: string }[]
    >`SELECT identity FROM "Identity" WHERE starts_with(identity, ${prefix})`;
    await reattribute(
      tx,
      old.map((o) => o.identity),
      (id) => `${id.slice(prefix.length)}@${upnSuffix}`,
    );
    await recordAudit(tx, actor, {
      action: "domain-mapping.create",
      target: `domain:${netbiosDomain}`,
      changes: { upnSuffix: { to: upnSuffix } },
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
