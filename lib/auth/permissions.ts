import type { Role } from "./roles.ts";

/** The one permission map: each action and the roles allowed to do it. */
export const PERMISSIONS = {
  "console.view": ["admin", "analyst", "viewer"],
  "account.manage": ["admin", "analyst", "viewer"],
  "vpn.read": ["admin", "analyst", "viewer"],
  "vpn.write": ["admin"],
  "radiusClients.read": ["admin", "analyst", "viewer"],
  "radiusClients.write": ["admin"],
  "users.manage": ["admin"],
  "tokens.manage": ["admin"],
  "audit.read": ["admin"],
  "identities.read": ["admin", "analyst", "viewer"],
  "sessions.read": ["admin", "analyst", "viewer"],
  "identities.manage": ["admin"],
  "alerts.read": ["admin", "analyst", "viewer"],
  "alerts.triage": ["admin", "analyst"],
  "exclusions.write": ["admin", "analyst"],
  "alertForwarding.write": ["admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
