// Moves past activity from one identity key to another: an alias, a newly mapped domain, a directory account that now
// owns a name, or an account whose UPN was renamed. The sensor resolves future records itself after the NOTIFY.
import type { Prisma } from "../generated/prisma/client.ts";

/**
 * Moves every session, timeline row and alert of each `from` key to its target, in the caller's transaction, and
 * rebuilds the summary rows of every identity involved. Set-based: a first directory sync may move thousands at once.
 * Returns how many identities moved.
 */
export async function reattribute(tx: Prisma.TransactionClient, moves: ReadonlyMap<string, string>): Promise<number> {
  const pairs = [...moves].filter(([from, to]) => from !== to);
  if (!pairs.length) return 0;
  const from = pairs.map(([f]) => f);
  const to = pairs.map(([, t]) => t);
  for (const table of ["VpnSession", "VpnSessionEvent", "Alert"] as const)
    await tx.$executeRawUnsafe(
      `UPDATE "${table}" r SET identity = m.target FROM unnest($1::text[], $2::text[]) AS m(old, target)
        WHERE r.identity = m.old`,
      from,
      to,
    );
  // The old addresses redirect to the new ones; earlier redirects to a key that moved now follow it; a key that
  // becomes an identity again (moved back) no longer redirects.
  await tx.$executeRaw`
    UPDATE "IdentityRedirect" r SET "toIdentity" = m.target
      FROM unnest(${from}::text[], ${to}::text[]) AS m(old, target) WHERE r."toIdentity" = m.old`;
  await tx.$executeRaw`
    INSERT INTO "IdentityRedirect" ("fromIdentity", "toIdentity")
    SELECT old, target FROM unnest(${from}::text[], ${to}::text[]) AS m(old, target)
    ON CONFLICT ("fromIdentity") DO UPDATE SET "toIdentity" = EXCLUDED."toIdentity", "movedAt" = now()`;
  await tx.$executeRaw`DELETE FROM "IdentityRedirect" WHERE "fromIdentity" = "toIdentity" OR "fromIdentity" = ANY(${to}::text[])`;
  const touched = [...new Set([...from, ...to])];
  // First sightings can be older than any session left (RETENTION_DAYS): the earliest of the merged rows carries over.
  // The rest follows the store's rule (lib/sessions/store.ts): last seen is the latest event time (a session's
  // lastUpdateAt), the last location that of the latest session with a public IP.
  await tx.$executeRaw`
    CREATE TEMP TABLE reattributed ON COMMIT DROP AS
    SELECT COALESCE(m.target, i.identity) AS identity, min(i."firstSeenAt") AS first
      FROM "Identity" i LEFT JOIN unnest(${from}::text[], ${to}::text[]) AS m(old, target) ON m.old = i.identity
     WHERE i.identity = ANY(${touched}::text[])
     GROUP BY 1`;
  await tx.$executeRaw`DELETE FROM "Identity" WHERE identity = ANY(${touched}::text[])`;
  await tx.$executeRaw`
    INSERT INTO "Identity" (identity, "firstSeenAt", "lastSeenAt", "lastPublicIp", "lastCountryCode", "lastCountry", "lastCity", "lastLocationKind")
    SELECT t.identity, LEAST(a.first, r.first), a.last, l."publicIp", l."countryCode", l.country, l.city, l."locationKind"
      FROM unnest(${touched}::text[]) AS t(identity)
      LEFT JOIN reattributed r ON r.identity = t.identity
      CROSS JOIN LATERAL (SELECT min("startedAt") AS first, max("lastUpdateAt") AS last
                            FROM "VpnSession" WHERE identity = t.identity) a
      LEFT JOIN LATERAL (SELECT "publicIp", "countryCode", country, city, "locationKind" FROM "VpnSession"
                          WHERE identity = t.identity AND "publicIp" IS NOT NULL
                          ORDER BY "lastUpdateAt" DESC LIMIT 1) l ON true
     WHERE a.last IS NOT NULL`;
  await tx.$executeRaw`DROP TABLE reattributed`;
  return pairs.length;
}

/** What a merge would move, before it is made (the Aliases page's preview). */
export async function mergeCounts(
  db: Pick<Prisma.TransactionClient, "$queryRaw">,
  from: string[],
): Promise<{ identities: number; sessions: number; alerts: number }> {
  const [row] = await db.$queryRaw<{ identities: number; sessions: number; alerts: number }[]>`
    SELECT (SELECT count(*) FROM "Identity" WHERE identity = ANY(${from}::text[]))::int AS identities,
           (SELECT count(*) FROM "VpnSession" WHERE identity = ANY(${from}::text[]))::int AS sessions,
           (SELECT count(*) FROM "Alert" WHERE identity = ANY(${from}::text[]))::int AS alerts`;
  return row!;
}

/** Where an identity that no longer exists went (null: it never merged). */
export async function redirectedIdentity(
  db: Pick<Prisma.TransactionClient, "identityRedirect">,
  identity: string,
): Promise<string | null> {
  const row = await db.identityRedirect.findUnique({ where: { fromIdentity: identity } });
  return row?.toIdentity ?? null;
}
