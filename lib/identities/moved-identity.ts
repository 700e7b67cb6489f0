// An identity merged into another (an alias, a domain mapping, a directory account): its old API addresses answer
// 301 with the new location, the same path below the identity.
import { db } from "../db/prisma.ts";
import { redirectedIdentity } from "./reattribute.ts";

/** A 301 to the same request for the identity this one merged into, or null when it never merged. */
export async function movedIdentityResponse(req: Request, identity: string): Promise<Response | null> {
  const to = await redirectedIdentity(db(), identity);
  if (!to) return null;
  const url = new URL(req.url);
  // What follows the identity's own segment (/activities, /locations), whatever its percent-encoding.
  const rest = url.pathname.slice("/api/v1/identities/".length).replace(/^[^/]*/, "");
  const location = `/api/v1/identities/${encodeURIComponent(to)}${rest}${url.search}`;
  return new Response(null, { status: 301, headers: { location } });
}

/** For the routes below an identity: a 301 when the identity is gone because it merged, else null. */
export async function movedUnlessPresent(req: Request, identity: string): Promise<Response | null> {
  if (await db().identity.findUnique({ where: { identity }, select: { identity: true } })) return null;
  return movedIdentityResponse(req, identity);
}
