import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { primaryUrl } from "../lib/db/failover.ts";
import { z } from "zod";
import {
  DEFAULT_RADSEC_PORT,
  DEFAULT_SENSOR_METRICS_PORT,
  EnvSchema,
  envPort,
  envPositive,
  optionalString,
  parseEnv,
} from "../lib/config/env.ts";
import { CONFIG_CHANNEL } from "../lib/config/notify.ts";
import {
  directoryIndex,
  identityMappings,
  type DirectoryNames,
  type IdentityMappings,
} from "../lib/identities/resolve-identity.ts";
import { ipBlockMatcher, parseIpOrCidr, type IpBlock, mostSpecific } from "../lib/net/cidr.ts";
import type { VendorId } from "../lib/radius/vendors.ts";
import { openSecret } from "../lib/secrets/secret-box.ts";
import { SECRET_PURPOSE } from "../lib/secrets/seal.ts";
import { parseBindSpec } from "./udp-listener.ts";
import { previousSecretLive } from "../lib/secrets/shared-secret.ts";
import { SETTINGS_ROW_ID } from "../lib/db/settings-row.ts";

/**
 * The application_name of the sensor's and its detector's database connections, so pg_stat_activity (a DBA, the
 * bench's CPU split) tells them apart from each other and from the portal's.
 */
export const CONNECTION_NAMES = { sensor: "vpnsight-sensor", detector: "vpnsight-detector" } as const;

const seconds = (fallback: number) => envPositive(fallback).transform((s) => s * 1000);

export const SensorEnvSchema = EnvSchema.extend({
  /** Unset or "::": every address of this host (followed as it changes); "0.0.0.0": every IPv4 one; else a list. */
  RADIUS_BIND: optionalString.transform((text, ctx) => {
    try {
      return parseBindSpec(text);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
      return z.NEVER;
    }
  }),
  /** RadSec (RFC 6614) TCP port; 0 turns RadSec off. It listens once a client CA is configured. */
  RADSEC_PORT: envPort(DEFAULT_RADSEC_PORT, 0),
  RADSEC_CERT: optionalString,
  RADSEC_KEY: optionalString,
  /** A PEM file of the CA(s) that sign RadSec clients' certificates (besides one uploaded in the portal). */
  RADSEC_CA: optionalString,
  RADSEC_MAX_CONNECTIONS: envPositive(256),
  RADSEC_MAX_IN_FLIGHT: envPositive(256),
  RADSEC_IDLE_TIMEOUT_S: seconds(300),
  RADSEC_HANDSHAKE_TIMEOUT_S: seconds(10),
  SENSOR_ID: optionalString,
  SENSOR_METRICS_PORT: envPort(DEFAULT_SENSOR_METRICS_PORT, 0),
  /** /metrics and /healthz show counters and state: loopback unless a monitoring host needs them (e.g. 0.0.0.0). */
  SENSOR_METRICS_BIND: z.preprocess(
    (v) => (v === "" || v === undefined ? "127.0.0.1" : v),
    z.string().refine((v) => net.isIP(v) !== 0, {
      error: "SENSOR_METRICS_BIND is an IP address (0.0.0.0 or :: for every address).",
    }),
  ),
  SPOOL_MAX_MB: envPositive(1024),
  STALE_SESSION_HOURS: envPositive(24),
  DB_WRITE_TIMEOUT_MS: envPositive(2000),
  SENSOR_BATCH_WAIT_MS: envPositive(2),
  /** off: this sensor only records; a sensor with detections on, on the same database, judges the sessions. */
  SENSOR_DETECTIONS: z
    .preprocess(
      (v) => (v === "" || v === undefined ? "on" : v),
      z.enum(["on", "off"], { error: "SENSOR_DETECTIONS is on or off." }),
    )
    .transform((v) => v === "on"),
});
export function readSensorEnv(source = process.env) {
  const env = parseEnv(SensorEnvSchema, source);
  return {
    ...env,
    sensorId: env.SENSOR_ID ?? `${os.hostname()}:${env.RADIUS_ACCT_PORT}`,
    dataDir: path.resolve(env.VPNSIGHT_DATA_DIR),
  };
}

export interface ClientConfig {
  id: string;
  name: string;
  block: IpBlock;
  /** Built when the configuration loads, not per packet. */
  contains: (ip: string) => boolean;
  vendor: VendorId;
  /** The client's own secrets (current, then previous within grace); empty → the global ones. */
  secrets: string[];
  requireMessageAuthenticator: boolean;
  /** RadSec: the certificate this client must present (lib/radius/certificates.ts), or null for any the CA signed. */
  certificate: string | null;
}

/** What the packet path needs, in memory: decrypted secrets never leave this process. */
export interface SensorConfig {
  enabled: boolean;
  globalSecrets: string[];
  clients: ClientConfig[];
  mappings: IdentityMappings;
  /** PEM of the CA(s) that sign RadSec clients' certificates, uploaded in the portal (RADSEC_CA adds to it). */
  radsecClientCa: string | null;
}

export const EMPTY_CONFIG: SensorConfig = {
  enabled: false,
  radsecClientCa: null,
  globalSecrets: [],
  clients: [],
  mappings: { netbiosToUpnSuffix: new Map(), aliasToPrimary: new Map() },
};

/** The sealed rows as read from the database; also cached on disk (still sealed) for starts while the DB is down. */
interface SealedConfig {
  settings: {
    enabled: boolean;
    secretSealed: string | null;
    previousSecretSealed: string | null;
    previousSecretExpiresAt: string | null;
    radsecClientCa: string | null;
  } | null;
  clients: {
    id: string;
    name: string;
    address: string;
    vendor: VendorId;
    secretSealed: string | null;
    previousSecretSealed: string | null;
    previousSecretExpiresAt: string | null;
    requireMessageAuthenticator: boolean;
    certificate: string | null;
  }[];
  domains: { netbiosDomain: string; upnSuffix: string }[];
  aliases: { alias: string; identity: string }[];
}

async function readSealedConfig(db: pg.Pool): Promise<SealedConfig> {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  const [settings, clients, domains, aliases] = await Promise.all([
    db.query(
      `SELECT enabled, "secretSealed", "previousSecretSealed", "previousSecretExpiresAt", "radsecClientCa" FROM "VpnSettings" WHERE id = $1`,
      [SETTINGS_ROW_ID],
    ),
    db.query(
      `SELECT id, name, address, vendor, "secretSealed", "previousSecretSealed", "previousSecretExpiresAt", "requireMessageAuthenticator", certificate FROM "RadiusClient"`,
    ),
    db.query(`SELECT "netbiosDomain", "upnSuffix" FROM "DomainMapping"`),
    db.query(`SELECT alias, identity FROM "IdentityAlias"`),
  ]);
  const s = settings.rows[0];
  return {
    settings: s ? { ...s, previousSecretExpiresAt: iso(s.previousSecretExpiresAt) } : null,
    clients: clients.rows.map((c) => ({ ...c, previousSecretExpiresAt: iso(c.previousSecretExpiresAt) })),
    domains: domains.rows,
    aliases: aliases.rows,
  };
}

function unsealConfig(sealed: SealedConfig, key: Buffer, now = Date.now()): SensorConfig {
  const secrets = (current: string | null, previous: string | null, expires: string | null, purpose: string) => {
    const list: string[] = [];
    if (current) list.push(openSecret(key, current, purpose));
    if (previous && previousSecretLive(expires, now)) list.push(openSecret(key, previous, purpose));
    return list;
  };
  const s = sealed.settings;
  return {
    enabled: Boolean(s?.enabled),
    radsecClientCa: s?.radsecClientCa ?? null,
    globalSecrets: s
      ? secrets(s.secretSealed, s.previousSecretSealed, s.previousSecretExpiresAt, SECRET_PURPOSE.vpnSharedSecret)
      : [],
    clients: sealed.clients.flatMap((c) => {
      const block = parseIpOrCidr(c.address);
      if (!block) return [];
      return [
        {
          id: c.id,
          name: c.name,
          block,
          contains: ipBlockMatcher(block),
          vendor: c.vendor,
          secrets: secrets(
            c.secretSealed,
            c.previousSecretSealed,
            c.previousSecretExpiresAt,
            SECRET_PURPOSE.radiusClientSecret(c.id),
          ),
          requireMessageAuthenticator: c.requireMessageAuthenticator,
          certificate: c.certificate ?? null,
        },
      ];
    }),
    mappings: identityMappings(sealed.domains, sealed.aliases),
  };
}

/** The client a source address belongs to: the most specific matching block. */
export function clientFor(config: SensorConfig, sourceIp: string): ClientConfig | null {
  return mostSpecific(config.clients, sourceIp);
}

/**
 * Keeps the sensor's configuration current: LISTEN on the config channel (a
 * portal save reaches us within a second), plus a periodic refresh that also
 * expires previous secrets on time. The last good config is cached sealed on disk.
 */
export class ConfigWatcher {
  current: SensorConfig = EMPTY_CONFIG;
  private listener: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly cacheFile: string;

  constructor(
    private readonly pool: pg.Pool,
    private readonly databaseUrl: string,
    private readonly key: Buffer,
    dataDir: string,
    private readonly log: (msg: string, extra?: object) => void,
    private readonly refreshMs = 10_000,
  ) {
    this.cacheFile = path.join(dataDir, "sensor-config.sealed.json");
  }

  async start(): Promise<void> {
    try {
      await this.refresh();
    } catch (err) {
      const cached = this.readCache();
      if (!cached) throw err;
      this.current = unsealConfig(cached, this.key);
      this.log("database unreachable at start: using the cached configuration", { error: (err as Error).message });
    }
    this.timer = setInterval(() => void this.refresh().catch(() => {}), this.refreshMs);
    void this.listen();
  }

  async refresh(): Promise<void> {
    const sealed = await readSealedConfig(this.pool);
    const config = unsealConfig(sealed, this.key);
    const directory = await this.directory();
    this.current = directory ? { ...config, mappings: { ...config.mappings, directory } } : config;
    fs.writeFileSync(this.cacheFile + ".tmp", JSON.stringify(sealed), { mode: 0o600 });
    fs.renameSync(this.cacheFile + ".tmp", this.cacheFile);
  }

  private directoryState: { version: string; index: Map<string, string> } | null = null;

  /**
   * The directory's names (lib/identities/resolve-identity.ts directoryIndex), read again only after a sync changed
   * the accounts: a refresh costs one small query otherwise. Null while the directory is off.
   */
  private async directory(): Promise<Map<string, string> | null> {
    const { rows } = await this.pool.query<{ enabled: boolean; version: string | null; upnSuffixes: string[] }>(
      `SELECT enabled, "lastSync"->>'at' AS version, "upnSuffixes" FROM "DirectorySettings" WHERE id = $1`,
      [SETTINGS_ROW_ID],
    );
    const row = rows[0];
    if (!row?.enabled) return (this.directoryState = null);
    const version = row.version ?? "";
    if (this.directoryState?.version !== version) {
      const accounts = await this.pool.query<DirectoryNames>(
        `SELECT "userPrincipalName", "samAccountName", "netbiosDomain", mail, "proxyAddresses"
           FROM "DirectoryAccount" WHERE "goneAt" IS NULL`,
      );
      this.directoryState = { version, index: directoryIndex(accounts.rows, row.upnSuffixes) };
      this.log("directory names loaded", { accounts: accounts.rowCount, names: this.directoryState.index.size });
    }
    return this.directoryState.index;
  }

  private readCache(): SealedConfig | null {
    try {
      return JSON.parse(fs.readFileSync(this.cacheFile, "utf8")) as SealedConfig;
    } catch {
      return null;
    }
  }

  private async listen(): Promise<void> {
    while (!this.stopped) {
      const client = new pg.Client({
        connectionString: await primaryUrl(this.databaseUrl),
        application_name: CONNECTION_NAMES.sensor,
      });
      // Resolves when the connection is lost (an unhandled "error" event would crash the sensor).
      const lost = new Promise<void>((resolve) => {
        client.on("error", () => resolve());
        client.on("end", () => resolve());
      });
      try {
        await client.connect();
        this.listener = client;
        client.on(
          "notification",
          () =>
            void this.refresh().catch((err) => this.log("config refresh failed", { error: (err as Error).message })),
        );
        await client.query(`LISTEN ${CONFIG_CHANNEL}`);
        await this.refresh().catch(() => {});
        await lost;
      } catch {
        // database down: retry below
      } finally {
        this.listener = null;
        await client.end().catch(() => {});
      }
      if (!this.stopped) await new Promise((r) => setTimeout(r, 1000));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.listener?.end().catch(() => {});
  }
}
