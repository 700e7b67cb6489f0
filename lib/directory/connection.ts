// Talking to Active Directory with ldapts: connect (LDAPS, or StartTLS on ldap://), bind, and say in words what
// failed. Used by the connection test and the sync.
import { Client, InvalidCredentialsError, NoSuchObjectError, StrongAuthRequiredError } from "ldapts";
import type { DirectoryConnection } from "./settings.ts";

export interface TestStep {
  name: "connect" | "bind" | "domain" | "users";
  ok: boolean;
  message: string;
}

const TIMEOUT_MS = 10_000;
const TLS_WORDS: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "certificate not trusted (upload the CA that signed it, or use the system's CAs)",
  SELF_SIGNED_CERT_IN_CHAIN: "certificate not trusted (self-signed chain: upload its CA)",
  DEPTH_ZERO_SELF_SIGNED_CERT: "certificate not trusted (self-signed)",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "certificate not trusted (its issuer is not among the trusted CAs)",
  CERT_HAS_EXPIRED: "certificate expired",
  ERR_TLS_CERT_ALTNAME_INVALID: "certificate is not for this host name (use the name in the DC's certificate)",
};
const NET_WORDS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ETIMEDOUT: "no answer (timed out)",
  ENOTFOUND: "host name not found",
  EHOSTUNREACH: "host unreachable",
  ECONNRESET: "connection reset",
};

/** A failure in words, and which step it belongs to. */
export function describeLdapError(err: unknown): { step: TestStep["name"]; message: string } {
  const e = err as { code?: unknown; message?: string };
  const code = typeof e.code === "string" ? e.code : "";
  if (TLS_WORDS[code]) return { step: "connect", message: TLS_WORDS[code] };
  if (NET_WORDS[code]) return { step: "connect", message: NET_WORDS[code] };
  if (/timeout/i.test(e.message ?? "")) return { step: "connect", message: "no answer (timed out)" };
  if (/connection closed|socket error/i.test(e.message ?? ""))
    return { step: "connect", message: "connection lost before the directory answered" };
  if (err instanceof InvalidCredentialsError) {
    const data = /data ([0-9a-f]{3})/i.exec(e.message ?? "")?.[1];
    return { step: "bind", message: `invalid credentials${data ? ` (AD data ${data})` : ""}` };
  }
  if (err instanceof StrongAuthRequiredError)
    return { step: "bind", message: "the directory refuses binds without TLS: use ldaps:// or StartTLS" };
  if (err instanceof NoSuchObjectError) return { step: "domain", message: "base DN not found" };
  return { step: "connect", message: e.message ?? String(err) };
}

/** A bound client on the first URL that works; the last failure when none does. */
export async function bindDirectory(conn: DirectoryConnection): Promise<Client> {
  if (!conn.urls.length) throw new Error("no directory URL configured");
  const tlsOptions = {
    ...(conn.caCertificate ? { ca: [conn.caCertificate] } : {}),
    rejectUnauthorized: !conn.skipTlsVerify,
  };
  let last: unknown;
  for (const url of conn.urls) {
    const ldaps = url.toLowerCase().startsWith("ldaps://");
    // ldapts opens TLS at once whenever it is given TLS options, also on ldap://: only for ldaps:// here.
    const client = new Client({
      url,
      ...(ldaps ? { tlsOptions } : {}),
      timeout: TIMEOUT_MS,
      connectTimeout: TIMEOUT_MS,
    });
    try {
      if (conn.startTls && !ldaps) await client.startTLS({ ...tlsOptions, servername: new URL(url).hostname });
      await client.bind(conn.bindUser, conn.bindPassword ?? "");
      return client;
    } catch (err) {
      last = err;
      await client.unbind().catch(() => {});
      // Wrong credentials are wrong on every DC: do not lock the account out trying them everywhere.
      if (err instanceof InvalidCredentialsError) break;
    }
  }
  throw last;
}

/** A value inside an LDAP filter (RFC 4515): a DN such as "CN=Ops (EU),…" must not end the filter early. */
export const escapeFilterValue = (value: string) =>
  value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, "0")}`);

export const userFilter = (conn: Pick<DirectoryConnection, "userFilter">) =>
  `(&(objectCategory=person)(objectClass=user)${conn.userFilter ? (conn.userFilter.startsWith("(") ? conn.userFilter : `(${conn.userFilter})`) : ""})`;

export interface DomainInfo {
  netbios: string | null;
  dns: string | null;
  namingContext: string;
  /** The DC that answered (its NTDS Settings DN): update sequence numbers are counted per DC. */
  server: string;
  /** The DC's highest committed update sequence number when read. */
  highestUsn: string;
  /** The forest's UPN suffixes: its DNS name and the uPNSuffixes an admin added (lowercase). */
  upnSuffixes: string[];
}

/** The domain's NetBIOS and DNS names, from the configuration partition, and the answering DC's position. */
export async function readDomain(client: Client): Promise<DomainInfo> {
  const root = await client.search("", {
    scope: "base",
    attributes: ["defaultNamingContext", "configurationNamingContext", "dsServiceName", "highestCommittedUSN"],
  });
  const rootDse: Record<string, unknown> = root.searchEntries[0] ?? {};
  const namingContext = String(rootDse.defaultNamingContext ?? "");
  const config = String(rootDse.configurationNamingContext ?? "");
  const position = {
    server: String(rootDse.dsServiceName ?? ""),
    highestUsn: String(rootDse.highestCommittedUSN ?? ""),
  };
  if (!config) return { netbios: null, dns: null, namingContext, ...position, upnSuffixes: [] };
  const { searchEntries } = await client.search(`CN=Partitions,${config}`, {
    filter: `(&(objectClass=crossRef)(nETBIOSName=*)(nCName=${escapeFilterValue(namingContext)}))`,
    attributes: ["nETBIOSName", "dnsRoot"],
  });
  const part = searchEntries[0];
  const partitions = await client.search(`CN=Partitions,${config}`, { scope: "base", attributes: ["uPNSuffixes"] });
  const extra = partitions.searchEntries[0]?.uPNSuffixes;
  const upnSuffixes = [
    ...new Set(
      [part ? String(part.dnsRoot) : "", ...(Array.isArray(extra) ? extra : extra ? [extra] : []).map(String)]
        .map((x) => x.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  return {
    netbios: part ? String(part.nETBIOSName) : null,
    dns: part ? String(part.dnsRoot) : null,
    namingContext,
    ...position,
    upnSuffixes,
  };
}

/**
 * Test connection: connect and bind, read the domain's names, check the base DN and count its users; each step's
 * outcome in words. Stops at the first failed step.
 */
export async function testDirectoryConnection(conn: DirectoryConnection): Promise<{ ok: boolean; steps: TestStep[] }> {
  const steps: TestStep[] = [];
  const fail = (err: unknown) => {
    const { step, message } = describeLdapError(err);
    if (step === "bind" && !steps.some((s) => s.name === "connect"))
      steps.push({ name: "connect", ok: true, message: "connected" });
    steps.push({ name: step, ok: false, message });
    return { ok: false, steps };
  };
  let client: Client;
  try {
    client = await bindDirectory(conn);
  } catch (err) {
    return fail(err);
  }
  try {
    steps.push(
      { name: "connect", ok: true, message: "connected" },
      { name: "bind", ok: true, message: `bound as ${conn.bindUser}` },
    );
    const domain = await readDomain(client);
    steps.push({
      name: "domain",
      ok: true,
      message: `NetBIOS name ${domain.netbios ?? "unknown"}, DNS name ${domain.dns ?? "unknown"}`,
    });
    await client.search(conn.baseDn, { scope: "base", attributes: ["1.1"] });
    const { searchEntries } = await client.search(conn.baseDn, {
      filter: userFilter(conn),
      attributes: ["1.1"],
      paged: { pageSize: 1000 },
    });
    steps.push({ name: "users", ok: true, message: `${searchEntries.length} users under ${conn.baseDn}` });
    return { ok: true, steps };
  } catch (err) {
    return fail(err);
  } finally {
    await client.unbind().catch(() => {});
  }
}
