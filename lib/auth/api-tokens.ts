import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { Db } from "../db/prisma.ts";
import { recordAudit, type Actor } from "../audit/record.ts";
import { ROLES, RoleSchema, type Role } from "./roles.ts";
import { notFound, validationError } from "../errors.ts";

const TOKEN_PREFIX = "vps_";
/** What the form offers; the API and the CLI take any whole number of days, or null for none. */
export const TOKEN_EXPIRY_CHOICES = [30, 90, 365] as const;
export const DEFAULT_TOKEN_EXPIRY_DAYS = 90;

export const CreateTokenSchema = z
  .object({
    name: z.string().trim().min(1, "Give the token a name.").max(100),
    role: RoleSchema,
    /** Days until it stops working; null: never. */
    expiresInDays: z
      .number({ error: "expiresInDays is a whole number of days (1–3650) or null." })
      .int({ error: "expiresInDays is a whole number of days (1–3650) or null." })
      .min(1, { error: "expiresInDays is a whole number of days (1–3650) or null." })
      .max(3650, { error: "expiresInDays is a whole number of days (1–3650) or null." })
      .nullable()
      .default(DEFAULT_TOKEN_EXPIRY_DAYS),
  })
  .strict();

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** The lower of two roles (admin > analyst > viewer): what a token may do on its owner's behalf. */
export const lowerRole = (a: Role, b: Role): Role => (ROLES.indexOf(a) >= ROLES.indexOf(b) ? a : b);

export interface TokenView {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: Date;
  createdBy: string;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  expiresAt: Date | null;
  owner: string | null;
}
const tokenSelect = {
  id: true,
  name: true,
  role: true,
  prefix: true,
  createdAt: true,
  createdBy: true,
  lastUsedAt: true,
  revokedAt: true,
  expiresAt: true,
  owner: { select: { email: true } },
} as const;
const toView = ({ owner, ...row }: { owner: { email: string } | null } & Omit<TokenView, "owner">): TokenView => ({
  ...row,
  owner: owner?.email ?? null,
});

export const listTokens = async (db: Db): Promise<TokenView[]> =>
  (await db.apiToken.findMany({ select: tokenSelect, orderBy: { createdAt: "desc" } })).map(toView);

/** The first active admin: owns tokens made by the CLI without --owner. */
async function defaultOwner(db: Db): Promise<string> {
  const admin = await db.user.findFirst({
    where: { role: "admin", disabled: false },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  if (!admin) throw validationError("No active admin to own the token: create a user first, or name its owner.");
  return admin.id;
}

/** Returns the token once; only its sha256 is stored. `ownerId`: the user it acts for (default: the first admin). */
export async function createToken(
  db: Db,
  input: z.output<typeof CreateTokenSchema>,
  actor: Actor,
  owner?: { id: string } | { email: string },
) {
  const { name, role, expiresInDays } = input;
  let ownerId: string;
  if (!owner) ownerId = await defaultOwner(db);
  else if ("id" in owner) ownerId = owner.id;
  else {
    const user = await db.user.findUnique({ where: { email: owner.email.trim().toLowerCase() } });
    if (!user) throw validationError(`No user ${owner.email} to own the token.`);
    ownerId = user.id;
  }
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const expiresAt = expiresInDays === null ? null : new Date(Date.now() + expiresInDays * 86_400_000);
  const view = await db.$transaction(async (tx) => {
    const created = await tx.apiToken.create({
      data: {
        name,
        role,
        tokenHash: hashToken(token),
        prefix: token.slice(0, 10),
        createdBy: actor.label,
        ownerId,
        expiresAt,
      },
      select: tokenSelect,
    });
    await recordAudit(tx, actor, {
      action: "token.create",
      target: `token:${name}`,
      changes: {
        role: { to: role },
        owner: { to: created.owner?.email ?? null },
        expiresAt: { to: expiresAt?.toISOString() ?? "never" },
      },
    });
    return toView(created);
  });
  return { token, view };
}

export async function revokeToken(db: Db, id: string, actor: Actor): Promise<void> {
  await db.$transaction(async (tx) => {
    const token = await tx.apiToken.findUnique({ where: { id } });
    if (!token) throw notFound("No such token.");
    if (token.revokedAt) return;
    await tx.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    await recordAudit(tx, actor, {
      action: "token.revoke",
      target: `token:${token.name}`,
      changes: { revoked: { from: false, to: true } },
    });
  });
}

/**
 * A valid token's principal: not revoked, not expired, owner active; its role is the lower of its own and its
 * owner's current one (read on every request, so demoting or disabling the owner takes effect at once).
 * Records last use at most once a minute.
 */
export async function resolveToken(
  db: Db,
  token: string,
  now = new Date(),
): Promise<{ id: string; name: string; role: Role; ownerId: string } | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const row = await db.apiToken.findUnique({
    where: { tokenHash: hashToken(token) },
    include: { owner: { select: { id: true, role: true, disabled: true } } },
  });
  if (!row || row.revokedAt || !row.owner || row.owner.disabled) return null;
  if (row.expiresAt && row.expiresAt <= now) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { id: row.id, name: row.name, role: lowerRole(row.role, row.owner.role), ownerId: row.owner.id };
}
