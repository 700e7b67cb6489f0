import path from "node:path";
import { z } from "zod";

// Empty strings count as unset, so `FOO= npm start` behaves like no FOO at all.
const optionalString = z.preprocess((v) => (v === "" ? undefined : v), z.string().optional());
const port = (fallback: number) =>
  z.preprocess((v) => (v === "" || v === undefined ? fallback : v), z.coerce.number().int().min(1).max(65535));

export const EnvSchema = z.object({
  PORT: port(3000),
  DATABASE_URL: optionalString,
  VPNSIGHT_DATA_DIR: z.preprocess((v) => (v === "" || v === undefined ? ".data" : v), z.string()),
  VPNSIGHT_SECRET_KEY: optionalString,
  VPNSIGHT_PG_PORT: port(54329),
  NEXTAUTH_SECRET: optionalString,
  NEXTAUTH_URL: optionalString,
  ADMIN_EMAIL: optionalString,
  ADMIN_PASSWORD: optionalString,
  RADIUS_ACCT_PORT: port(1813),
});

export type Env = z.infer<typeof EnvSchema>;

/** Reads and validates the environment once; a bad value stops the process with a clear message. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

export function dataDirOf(env: Pick<Env, "VPNSIGHT_DATA_DIR">): string {
  return path.resolve(env.VPNSIGHT_DATA_DIR);
}
