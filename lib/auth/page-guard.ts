import { redirect } from "next/navigation";
import { can, type Permission } from "./permissions.ts";
import { currentPrincipal, type Principal } from "./principal.ts";

/** The door of every page: signed-in and allowed, else sign-in or the forbidden page. */
export async function requirePagePermission(permission: Permission): Promise<Principal> {
  const principal = await currentPrincipal();
  if (!principal || principal.kind !== "user") redirect("/signin");
  if (!can(principal.role, permission)) redirect("/forbidden");
  return principal;
}
