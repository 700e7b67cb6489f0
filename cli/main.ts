// The `vpnsight` command: administration on the same database as the product
// (DATABASE_URL, or the embedded one in $VPNSIGHT_DATA_DIR, running or not).
import { parseArgs } from "node:util";
import pg from "pg";
import { primaryPool, primaryUrl } from "../lib/db/failover.ts";
import { readEnv } from "../lib/config/env.ts";
import { createToken, CreateTokenSchema } from "../lib/auth/api-tokens.ts";
import type { Actor } from "../lib/audit/record.ts";
import { bootstrapDatabase } from "../lib/runtime/bootstrap.ts";
import { createRoles, urlForRole } from "../lib/db/roles.ts";
import { testDirectoryConnection } from "../lib/directory/connection.ts";
import { directoryConnection, getDirectorySettings } from "../lib/directory/settings.ts";
import { syncDirectory } from "../lib/directory/sync.ts";
import { isDatabaseUnavailable } from "../lib/db/unavailable.ts";
import { createPrismaClient, type Db } from "../lib/db/prisma.ts";
import { AppError, parseInput } from "../lib/errors.ts";
import { detectionSettingsFromEnv } from "../lib/alerts/detections.ts";
import { redetectSince } from "../lib/alerts/session-judging.ts";
import { installationKey } from "../lib/secrets/installation-key.ts";
import { createUser, resetPassword, CreateUserSchema } from "../lib/auth/users.ts";
import { updateVpnSettings, getVpnSettings, VpnSettingsUpdateSchema } from "../lib/radius/vpn-settings.ts";

const USAGE = `Usage: vpnsight <command>

  user create --email E --role admin|analyst|viewer [--name N]   password on stdin
  user reset-password --email E                                   password on stdin
  token create --name N --role admin|analyst|viewer [--owner EMAIL] [--expires-days N|none]
                                                                 prints the token on the last line, once; owner: the
                                                                 first admin by default; expiry: 90 days by default
  vpn set --enable|--disable [--secret-stdin] [--grace-hours H]   secret on stdin with --secret-stdin
  vpn show
  detect --since YYYY-MM-DD                                       judge stored history again (alerts are deduplicated)
  migrate                                                         apply pending database migrations
  directory show                                                  the Active Directory connection (no password)
  directory test                                                  test the saved connection, step by step
  directory sync                                                  read every account of the directory now (a full sweep)
  db roles [--new-passwords]                                      create the portal's and the sensor's least-privilege
                                                                 roles (or renew their passwords) and grant their rights;
                                                                 run as the tables' owner (MIGRATION_DATABASE_URL, else
                                                                 DATABASE_URL); prints their URLs, passwords once

Works on DATABASE_URL, or on the embedded database in $VPNSIGHT_DATA_DIR (default .data),
also while \`npm start\` is running.`;

class UsageError extends Error {}

const CLI_ACTOR: Actor = { label: "cli" };

async function readStdinLine(what: string): Promise<string> {
  if (process.stdin.isTTY)
    throw new UsageError(`Pipe the ${what} on standard input, e.g. \`printf '%s' "$VALUE" | npx vpnsight …\`.`);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
  if (!text) throw new UsageError(`No ${what} on standard input.`);
  return text;
}

/** The database the CLI works on, and the URL of the tables' owner (migrations, roles). */
type Command = (args: string[], db: Db, databaseUrl: string, ownerUrl: string) => Promise<void>;

const commands: Record<string, Command> = {
  "user create": async (args, db) => {
    const { values } = parseArgs({
      args,
      options: { email: { type: "string" }, role: { type: "string" }, name: { type: "string" } },
    });
    if (!values.email || !values.role) throw new UsageError("user create needs --email and --role.");
    const password = await readStdinLine("password");
    const user = await createUser(
      db,
      parseInput(CreateUserSchema, { email: values.email, role: values.role as "admin", name: values.name, password }),
      CLI_ACTOR,
    );
    console.log(`Created ${user.role} ${user.email}`);
  },
  "user reset-password": async (args, db) => {
    const { values } = parseArgs({ args, options: { email: { type: "string" } } });
    if (!values.email) throw new UsageError("user reset-password needs --email.");
    await resetPassword(db, values.email, await readStdinLine("password"), CLI_ACTOR);
    console.log(`Password changed for ${values.email.toLowerCase()}`);
  },
  "token create": async (args, db) => {
    const { values } = parseArgs({
      args,
      options: {
        name: { type: "string" },
        role: { type: "string" },
        owner: { type: "string" },
        "expires-days": { type: "string" },
      },
    });
    if (!values.name || !values.role) throw new UsageError("token create needs --name and --role.");
    const days = values["expires-days"];
    if (days !== undefined && days !== "none" && !/^\d+$/.test(days))
      throw new UsageError("--expires-days is a number of days, or none.");
    const expiresInDays = days === undefined ? undefined : days === "none" ? null : Number(days);
    const { token, view } = await createToken(
      db,
      parseInput(CreateTokenSchema, { name: values.name, role: values.role as "admin", expiresInDays }),
      CLI_ACTOR,
      values.owner ? { email: values.owner } : undefined,
    );
    const expiry = view.expiresAt ? `expires ${view.expiresAt.toISOString().slice(0, 10)}` : "never expires";
    console.log(`Created ${view.role} token "${view.name}" for ${view.owner} (${expiry}). It is shown only this once:`);
    console.log(token);
  },
  "vpn set": async (args, db) => {
    const { values } = parseArgs({
      args,
      options: {
        enable: { type: "boolean" },
        disable: { type: "boolean" },
        "secret-stdin": { type: "boolean" },
        "grace-hours": { type: "string" },
      },
    });
    if (Boolean(values.enable) === Boolean(values.disable))
      throw new UsageError("vpn set needs exactly one of --enable or --disable.");
    const sharedSecret = values["secret-stdin"] ? await readStdinLine("shared secret") : undefined;
    const grace = values["grace-hours"];
    const settings = await updateVpnSettings(
      db,
      parseInput(VpnSettingsUpdateSchema, {
        enabled: Boolean(values.enable),
        sharedSecret,
        ...(grace !== undefined ? { rotationGraceHours: Number(grace) } : {}),
      }),
      CLI_ACTOR,
    );
    console.log(
      `Radius accounting ${settings.enabled ? "enabled" : "disabled"}; shared secret ${settings.secretConfigured ? "configured" : "not configured"}.`,
    );
  },
  "vpn show": async (_args, db) => {
    console.log(JSON.stringify(await getVpnSettings(db), null, 2));
  },
  detect: async (args, db, databaseUrl) => {
    const { values } = parseArgs({ args, options: { since: { type: "string" } } });
    const since = values.since ? new Date(values.since) : null;
    if (!since) throw new UsageError("detect needs --since DATE (e.g. 2026-10-01).");
    if (Number.isNaN(since.getTime()))
      throw new UsageError(`--since ${values.since} is not a date: use YYYY-MM-DD (e.g. 2026-10-01).`);
    const pool = primaryPool(databaseUrl, { max: 1 });
    const judged = await redetectSince(pool, since, detectionSettingsFromEnv()).finally(() => pool.end());
    const alerts = await db.alert.count({ where: { occurredAt: { gte: since } } });
    console.log(`Judged ${judged} sessions since ${since.toISOString()}; ${alerts} alerts for that period.`);
  },
  "directory show": async (_args, db) => {
    console.log(JSON.stringify(await getDirectorySettings(db), null, 2));
  },
  "directory test": async (_args, db) => {
    const result = await testDirectoryConnection(await directoryConnection(db));
    for (const step of result.steps) console.log(`${step.ok ? "ok  " : "FAIL"} ${step.name}: ${step.message}`);
    if (!result.ok) throw new AppError("validation", "The directory connection test failed.", 400);
  },
  "directory sync": async (_args, db) => {
    const outcome = await syncDirectory(db, { mode: "full" });
    console.log(
      `Synced in ${outcome.durationMs} ms: ${outcome.added} added, ${outcome.changed} changed, ${outcome.removed} removed.`,
    );
    if (outcome.error) throw new AppError("validation", `The sync failed: ${outcome.error}`, 400);
  },
  "db roles": async (args, _db, _databaseUrl, ownerUrl) => {
    const { values } = parseArgs({ args, options: { "new-passwords": { type: "boolean" } } });
    const client = new pg.Client({ connectionString: await primaryUrl(ownerUrl) });
    await client.connect();
    const roles = await createRoles(client, { newPasswords: values["new-passwords"] }).finally(() => client.end());
    const fresh = roles.filter((r) => r.password);
    console.log(`Roles ${roles.map((r) => r.role).join(" and ")} are ready, with the rights in lib/db/roles.ts.`);
    console.log(
      fresh.length
        ? "New passwords, shown only this once (PASSWORD marks one that was kept):"
        : "Their passwords were kept (--new-passwords renews them):",
    );
    const [portal, sensor] = roles;
    console.log(`DATABASE_URL=${urlForRole(ownerUrl, portal!.role, portal!.password)}`);
    console.log(`SENSOR_DATABASE_URL=${urlForRole(ownerUrl, sensor!.role, sensor!.password)}`);
    console.log("MIGRATION_DATABASE_URL=the URL this command ran on (the tables' owner)");
  },
  migrate: async () => {
    // Migrations already ran when the database was opened.
    console.log("Database schema is up to date.");
  },
};

async function main(argv: string[]): Promise<number> {
  const name = commands[`${argv[0]} ${argv[1]}`] ? `${argv[0]} ${argv[1]}` : argv[0];
  const command = name ? commands[name] : undefined;
  if (!command || argv.includes("--help")) {
    console.log(USAGE);
    return command || argv.includes("--help") ? 0 : 2;
  }
  const args = argv.slice(name!.split(" ").length);
  const env = readEnv();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const database = await bootstrapDatabase({ env, migrate: "always", key: installationKey(), log });
  const db = createPrismaClient(database.url);
  try {
    await command(args, db, database.url, database.ownerUrl);
    return 0;
  } finally {
    await db.$disconnect();
    await database.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`vpnsight: ${err.message}\n\n${USAGE}\n`);
      process.exit(2);
    }
    const message = err instanceof AppError || err instanceof Error ? err.message : String(err);
    if (isDatabaseUnavailable(err)) {
      process.stderr.write(
        `vpnsight: cannot reach the database (${message}). Is PostgreSQL running? The CLI uses DATABASE_URL, else the embedded database in $VPNSIGHT_DATA_DIR.\n`,
      );
      process.exit(1);
    }
    process.stderr.write(`vpnsight: ${message}\n`);
    process.exit(1);
  },
);
