import path from "node:path";
import { z } from "zod";

// Empty strings count as unset, so `FOO= npm start` behaves like no FOO at all.
export const optionalString = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());
const withDefault = <T extends z.ZodType>(fallback: unknown, schema: T) => z.preprocess((v) => (v === "" || v === undefined ? fallback : v), schema);
/** A TCP/UDP port; `min: 0` where 0 means "off". */
export const envPort = (fallback: number, min = 1) => withDefault(fallback, z.coerce.number().int().min(min).max(65535));
export const envPositive = (fallback: number) => withDefault(fallback, z.coerce.number().positive());
const port = envPort;

export const EnvSchema = z.object({
  PORT: port(3000),
  DATABASE_URL: optionalString,
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
});

export type Env = z.infer<typeof EnvSchema>;

/** Validates the environment against a schema; a bad value stops the process with a clear message. */
export function parseEnv<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv = process.env): z.output<S> {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

export const readEnv = (source: NodeJS.ProcessEnv = process.env): Env => parseEnv(EnvSchema, source);

export function dataDirOf(env: Pick<Env, "VPNSIGHT_DATA_DIR">): string {
  return path.resolve(env.VPNSIGHT_DATA_DIR);
}
