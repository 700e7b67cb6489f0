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
  /** Names of directory accounts (lowercase) → the account's primary UPN (directoryIndex). */
  directory?: ReadonlyMap<string, string>;
}

export interface DirectoryNames {
  userPrincipalName: string | null;
  samAccountName: string;
  netbiosDomain: string | null;
  mail: string | null;
  proxyAddresses: string[];
}

/**
 * The names each directory account answers to, all pointing at its primary UPN, in order of precedence: the UPN;
 * NETBIOS\sAMAccountName; alternate UPNs (mail, smtp proxy addresses, sAMAccountName@ each UPN suffix of the forest);
 * the bare sAMAccountName. A name taken at one level is not claimed again below it; a name two accounts claim at the
 * same level resolves to neither.
 */
export function directoryIndex(accounts: DirectoryNames[], upnSuffixes: readonly string[] = []): Map<string, string> {
  const levels: [string, string][][] = [[], [], [], []];
  for (const a of accounts) {
    const upn = a.userPrincipalName?.trim().toLowerCase();
    if (!upn) continue;
    const sam = a.samAccountName.trim().toLowerCase();
    levels[0]!.push([upn, upn]);
    if (a.netbiosDomain) levels[1]!.push([`${a.netbiosDomain.toLowerCase()}\\${sam}`, upn]);
    for (const alt of [a.mail, ...a.proxyAddresses, ...upnSuffixes.map((suffix) => `${sam}@${suffix}`)])
      if (alt) levels[2]!.push([alt.trim().toLowerCase(), upn]);
    levels[3]!.push([sam, upn]);
  }
  const index = new Map<string, string>();
  const taken = new Set<string>();
  for (const level of levels) {
    const claims = new Map<string, Set<string>>();
    for (const [name, upn] of level) if (!taken.has(name)) claims.set(name, (claims.get(name) ?? new Set()).add(upn));
    for (const [name, upns] of claims) {
      taken.add(name);
      if (upns.size === 1) index.set(name, [...upns][0]!);
    }
  }
  return index;
}

/** The mappings from their stored rows (DomainMapping, IdentityAlias) and the directory's index, as the sensor uses them. */
export function identityMappings(
  domains: { netbiosDomain: string; upnSuffix: string }[],
  aliases: { alias: string; identity: string }[],
  directory?: ReadonlyMap<string, string>,
): IdentityMappings {
  return {
    netbiosToUpnSuffix: new Map(domains.map((d) => [d.netbiosDomain.toLowerCase(), d.upnSuffix.toLowerCase()])),
    aliasToPrimary: new Map(aliases.map((a) => [a.alias.toLowerCase(), a.identity.toLowerCase()])),
    ...(directory ? { directory } : {}),
  };
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
  // The admin's word first, then the directory, then the name as written (mapped to a UPN where a domain maps).
  return (
    mappings.aliasToPrimary.get(canonical) ??
    mappings.aliasToPrimary.get(written) ??
    mappings.directory?.get(written) ??
    mappings.directory?.get(canonical) ??
    canonical
  );
}
