import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import type { Db } from "./db/prisma.ts";
import { recordAudit, type Actor } from "./audit.ts";
import { RoleSchema, type Role } from "./auth/roles.ts";
import { notFound, parseInput } from "./errors.ts";

const TOKEN_PREFIX = "vps_";

export const CreateTokenSchema = z
  .object({ name: z.string().trim().min(1, "Give the token a name.").max(100), role: RoleSchema })
  .strict();

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export interface TokenView {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: Date;
  createdBy: string;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}
const tokenView = { id: true, name: true, role: true, prefix: true, createdAt: true, createdBy: true, lastUsedAt: true, revokedAt: true } as const;

export const listTokens = (db: Db): Promise<TokenView[]> => db.apiToken.findMany({ select: tokenView, orderBy: { createdAt: "desc" } });

/** Returns the token once; only its sha256 is stored. */
export async function createToken(db: Db, input: z.input<typeof CreateTokenSchema>, actor: Actor) {
  const { name, role } = parseInput(CreateTokenSchema, input);
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  const view = await db.$transaction(async (tx) => {
    const created = await tx.apiToken.create({
      data: { name, role, tokenHash: hashToken(token), prefix: token.slice(0, 10), createdBy: actor.label },
      select: tokenView,
    });
    await recordAudit(tx, actor, { action: "token.create", target: `token:${name}`, changes: { role: { to: role } } });
    return created;
  });
  return { token, view };
}

export async function revokeToken(db: Db, id: string, actor: Actor): Promise<void> {
  await db.$transaction(async (tx) => {
    const token = await tx.apiToken.findUnique({ where: { id } });
    if (!token) throw notFound("No such token.");
    if (token.revokedAt) return;
    await tx.apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
    await recordAudit(tx, actor, { action: "token.revoke", target: `token:${token.name}`, changes: { revoked: { from: false, to: true } } });
  });
}

/** The token's role when it is valid and not revoked; records last use at most once a minute. */
export async function resolveToken(db: Db, token: string): Promise<{ id: string; name: string; role: Role } | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const row = await db.apiToken.findUnique({ where: { tokenHash: hashToken(token) } });
  if (!row || row.revokedAt) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return { id: row.id, name: row.name, role: row.role };
}
