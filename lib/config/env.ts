import path from "node:path";
import { z } from "zod";
import { parseIpOrCidr } from "../net/cidr.ts";

// Empty strings count as unset, so `FOO= npm start` behaves like no FOO at all.
export const optionalString = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());
const withDefault = <T extends z.ZodType>(fallback: unknown, schema: T) =>
  z.preprocess((v) => (v === "" || v === undefined ? fallback : v), schema);
/** A TCP/UDP port; `min: 0` where 0 means "off". */
export const envPort = (fallback: number, min = 1) =>
  withDefault(fallback, z.coerce.number().int().min(min).max(65535));
export const envPositive = (fallback: number) => withDefault(fallback, z.coerce.number().positive());
const port = envPort;

/** The sensor's default ports (its own env schema, sensor/config.ts), also known to the portal's forwarding guard. */
export const DEFAULT_SENSOR_METRICS_PORT = 9813;
export const DEFAULT_RADSEC_PORT = 2083;

export const EnvSchema = z.object({
  PORT: port(3000),
  DATABASE_URL: optionalString,
  /** A streaming replica for the portal's VPN activity pages and read API (lib/db/prisma.ts dbRead); optional. */
  DATABASE_READ_URL: optionalString,
  /** The sensor's own least-privilege role (lib/db/roles.ts); DATABASE_URL when unset. */
  SENSOR_DATABASE_URL: optionalString,
  /** The tables' owner, for migrations, when DATABASE_URL is a least-privilege role; DATABASE_URL when unset. */
  MIGRATION_DATABASE_URL: optionalString,
  VPNSIGHT_DATA_DIR: withDefault(".data", z.string()),
  VPNSIGHT_SECRET_KEY: optionalString,
  VPNSIGHT_PG_PORT: port(54329),
  NEXTAUTH_SECRET: optionalString,
  NEXTAUTH_URL: optionalString,
  ADMIN_EMAIL: optionalString,
  ADMIN_PASSWORD: optionalString,
  RADIUS_ACCT_PORT: port(1813),
  DETECTION_WINDOW_DAYS: envPositive(30),
  LEARNING_MIN_DAYS: envPositive(30),
  LEARNING_MIN_SESSIONS: envPositive(5),
  MAX_TRAVEL_KMH: envPositive(1000),
  /** Internal (tests shorten it): how long the detector defers to a busy sensor, see sensor/detector.ts. */
  VPNSIGHT_DETECTOR_MAX_DEFER_MS: envPositive(30_000),
  /** Internal (tests shorten it): how often the detector checks whether a directory sync is due. */
  VPNSIGHT_DIRECTORY_CHECK_MS: envPositive(60_000),
  /** Internal (tests shorten it): how often the detector runs the health checks (lib/health). */
  VPNSIGHT_HEALTH_CHECK_MS: envPositive(15_000),
  /** Proxies (IPs or CIDRs, comma-separated) whose X-Forwarded-For is believed (lib/auth/client-address.ts); default none. */
  TRUSTED_PROXIES: z.preprocess(
    (v) =>
      typeof v === "string"
        ? v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    z.array(
      z.string().refine((s) => parseIpOrCidr(s) !== null, {
        error: (i) => `${String(i.input)} is not an IP address or CIDR block.`,
      }),
    ),
  ),
  /** 1: alert forwarding may reach loopback, link-local and metadata addresses and this product's ports (lib/alerts/forwarding-destination.ts). */
  ALERT_FORWARDING_ALLOW_PRIVATE: withDefault(
    "0",
    z.enum(["0", "1"], { error: "ALERT_FORWARDING_ALLOW_PRIVATE is 0 or 1." }),
  ).transform((v) => v === "1"),
  /** A portal session ends this long after sign-in, whatever the activity (lib/auth/sessions.ts). */
  SESSION_MAX_HOURS: envPositive(12),
  /** …and after this long without a request. */
  SESSION_IDLE_MINUTES: envPositive(60),
  /** Days of VPN activity kept (lib/sessions/retention.ts); 0 keeps everything. */
  RETENTION_DAYS: withDefault(0, z.coerce.number().int().min(0)),
});

export type Env = z.infer<typeof EnvSchema>;

/** Rules between variables (kept out of EnvSchema so the sensor can extend it). */
function envRuleProblems(env: Env): { path: string; message: string }[] {
  const history = Math.max(env.DETECTION_WINDOW_DAYS, env.LEARNING_MIN_DAYS);
  return env.RETENTION_DAYS > 0 && env.RETENTION_DAYS < history
    ? [
        {
          path: "RETENTION_DAYS",
          message: `must be 0 (keep everything) or at least ${history} days, the history detections compare with (DETECTION_WINDOW_DAYS, LEARNING_MIN_DAYS).`,
        },
      ]
    : [];
}

/** Validates the environment against a schema; a bad value stops the process with a clear message. */
export function parseEnv<S extends typeof EnvSchema>(schema: S, source: NodeJS.ProcessEnv = process.env): z.output<S> {
  const parsed = schema.safeParse(source);
  const problems = parsed.success
    ? envRuleProblems(parsed.data)
    : parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
  if (problems.length || !parsed.success)
    throw new Error(`Invalid configuration:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}`);
  return parsed.data;
}

export const readEnv = (source: NodeJS.ProcessEnv = process.env): Env => parseEnv(EnvSchema, source);

export function dataDirOf(env: Pick<Env, "VPNSIGHT_DATA_DIR">): string {
  return path.resolve(env.VPNSIGHT_DATA_DIR);
}
