import { getServerSession } from "next-auth";
import { clientAddress } from "./client-address.ts";
import { sessionIsLive } from "./sessions.ts";
import { headers } from "next/headers";
import { resolveToken } from "./api-tokens.ts";
import { db } from "../db/prisma.ts";
import type { Actor } from "../audit/record.ts";
import { authOptionsFor } from "./next-auth-options.ts";
import type { Role } from "./roles.ts";

export interface Principal {
  kind: "user" | "token";
  id: string;
  /** The user's email or the token's name. */
  name: string;
  role: Role;
  /** The user a token acts for (the user themself for a session). */
  userId: string;
}

/**
 * Who is calling: a bearer token (Authorization header) or the signed-in user.
 * The role always comes from the database, so demoting or disabling takes effect at once.
 */
export async function currentPrincipal(requestHeaders?: Headers): Promise<Principal | null> {
  requestHeaders ??= await headers();
  const authorization = requestHeaders.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const token = match ? await resolveToken(db(), match[1]!) : null;
    return token && { kind: "token", id: token.id, name: token.name, role: token.role, userId: token.ownerId };
  }
  // No session cookie: no session (and no need for next-auth, which reads the request's cookies itself).
  if (!/(^|;\s*)(__Secure-)?next-auth\.session-token(\.\d+)?=/.test(requestHeaders.get("cookie") ?? "")) return null;
  const session = await getServerSession(authOptionsFor(requestHeaders));
  const { id: userId, signedInAt, sid } = (session?.user ?? {}) as { id?: string; signedInAt?: number; sid?: string };
  if (!userId) return null;
  const user = await db().user.findUnique({ where: { id: userId } });
  if (!user || user.disabled || !signedInSince(signedInAt, user.passwordChangedAt)) return null;
  if (!(await sessionIsLive(db(), sid, user.id))) return null;
  return { kind: "user", id: user.id, name: user.email, role: user.role, userId: user.id };
}

/** A session counts only if it was signed in after the password's last change. */
export function signedInSince(signedInAt: number | undefined, passwordChangedAt: Date | null): boolean {
  return passwordChangedAt === null || (signedInAt ?? 0) >= passwordChangedAt.getTime();
}

export async function actorOf(principal: Principal, requestHeaders?: Headers): Promise<Actor> {
  requestHeaders ??= await headers();
  const sourceIp = clientAddress(requestHeaders);
  return { label: `${principal.kind}:${principal.name}`, sourceIp };
}
