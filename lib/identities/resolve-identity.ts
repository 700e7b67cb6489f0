/**
 * Identity normalization: `user@domain` (UPN), `DOMAIN\user` and bare `user`,
 * case-insensitive, resolved to one primary identity through NetBIOS-domain →
 * UPN-suffix mappings and alternate-name aliases (both stored in the database).
 */

export interface IdentityMappings {
  /** lowercase NetBIOS domain → lowercase UPN suffix */
  netbiosToUpnSuffix: ReadonlyMap<string, string>;
  /** lowercase alternate name (UPN or domain\user) → primary identity */
  aliasToPrimary: ReadonlyMap<string, string>;
}

export const NO_MAPPINGS: IdentityMappings = { netbiosToUpnSuffix: new Map(), aliasToPrimary: new Map() };

export type ParsedUserName =
  | { form: "upn"; user: string; domain: string }
  | { form: "netbios"; user: string; domain: string }
  | { form: "bare"; user: string; domain: null };

export const UNKNOWN_IDENTITY = "(unknown)";

export function parseUserName(raw: string): ParsedUserName | null {
  const name = raw.trim().toLowerCase();
  if (!name) return null;
  const backslash = name.indexOf("\\");
  if (backslash > 0 && backslash < name.length - 1) {
    return { form: "netbios", domain: name.slice(0, backslash), user: name.slice(backslash + 1) };
  }
  const at = name.lastIndexOf("@");
  if (at > 0 && at < name.length - 1) return { form: "upn", user: name.slice(0, at), domain: name.slice(at + 1) };
  return { form: "bare", user: name, domain: null };
}

/** The canonical key of a name before aliases: UPN when the domain maps to a suffix, else as written (lowercase). */
export function canonicalName(parsed: ParsedUserName, mappings: IdentityMappings): string {
  if (parsed.form === "upn") return `${parsed.user}@${parsed.domain}`;
  if (parsed.form === "netbios") {
    const suffix = mappings.netbiosToUpnSuffix.get(parsed.domain);
    return suffix ? `${parsed.user}@${suffix}` : `${parsed.domain}\\${parsed.user}`;
  }
  return parsed.user;
}

/** The primary identity a User-Name belongs to. */
export function resolveIdentity(userName: string | null, mappings: IdentityMappings): string {
  const parsed = userName ? parseUserName(userName) : null;
  if (!parsed) return UNKNOWN_IDENTITY;
  const canonical = canonicalName(parsed, mappings);
  const written = userName!.trim().toLowerCase();
  return mappings.aliasToPrimary.get(canonical) ?? mappings.aliasToPrimary.get(written) ?? canonical;
}
