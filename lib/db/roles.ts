// Least-privilege database roles for a site's own PostgreSQL (README: "Database roles"). The embedded default
// keeps one owner role. The portal (DATABASE_URL) and the sensor (SENSOR_DATABASE_URL) each log in as a role
// that owns nothing: neither can change the schema, and each reaches only the tables its work needs. The table
// owner (MIGRATION_DATABASE_URL, or the URL `vpnsight db roles` runs on) applies migrations and these grants.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import type pg from "pg";

type Privilege = "SELECT" | "INSERT" | "UPDATE" | "DELETE";
const ALL: Privilege[] = ["SELECT", "INSERT", "UPDATE", "DELETE"];
const READ: Privilege[] = ["SELECT"];

export const PORTAL_ROLE = "vpnsight_portal";
export const SENSOR_ROLE = "vpnsight_sensor";
export type RoleName = typeof PORTAL_ROLE | typeof SENSOR_ROLE;

/**
 * Every table of the schema and what each role may do with it; a table not listed is out of reach (a test fails when
 * a migration adds a table that is not listed here). `_prisma_migrations` is readable so that both can check that
 * the schema is current.
 */
export const TABLE_PRIVILEGES: Record<string, Record<RoleName, Privilege[]>> = {
  _prisma_migrations: { vpnsight_portal: READ, vpnsight_sensor: READ },
  User: { vpnsight_portal: ALL, vpnsight_sensor: [] },
  UserSession: { vpnsight_portal: ALL, vpnsight_sensor: [] },
  ApiToken: { vpnsight_portal: ALL, vpnsight_sensor: [] },
  SignInThrottle: { vpnsight_portal: ALL, vpnsight_sensor: [] },
  // Append-only for the portal: an intruder in the portal cannot erase its own trail.
  AuditEntry: { vpnsight_portal: ["SELECT", "INSERT"], vpnsight_sensor: [] },
  // The installation key check (lib/secrets/installation-key.ts): the sensor reads it at start.
  AppMeta: { vpnsight_portal: ["SELECT", "INSERT", "UPDATE"], vpnsight_sensor: READ },
  AlertNote: { vpnsight_portal: ALL, vpnsight_sensor: [] },
  // Settings: written in the portal, read by the sensor (its config watcher and alert delivery).
  VpnSettings: { vpnsight_portal: ALL, vpnsight_sensor: READ },
  RadiusClient: { vpnsight_portal: ALL, vpnsight_sensor: READ },
  DomainMapping: { vpnsight_portal: ALL, vpnsight_sensor: READ },
  IdentityAlias: { vpnsight_portal: ALL, vpnsight_sensor: READ },
  AlertForwarding: { vpnsight_portal: ALL, vpnsight_sensor: READ },
  // The directory connection: the sync (in the sensor's detector) records its outcome.
  DirectorySettings: { vpnsight_portal: ALL, vpnsight_sensor: ["SELECT", "UPDATE"] },
  // Accounts: written by the sync (the portal's Sync now, the detector's schedule), read by both.
  DirectoryAccount: { vpnsight_portal: ALL, vpnsight_sensor: ALL },
  // Activity: stored, judged and purged by the sensor; the portal rewrites identities when aliases change.
  VpnSession: { vpnsight_portal: ALL, vpnsight_sensor: ALL },
  VpnSessionEvent: { vpnsight_portal: ALL, vpnsight_sensor: ALL },
  Identity: { vpnsight_portal: ALL, vpnsight_sensor: ALL },
  // Written where history moves: aliases (portal) and the directory sync (portal's Sync now, the detector's schedule).
  IdentityRedirect: { vpnsight_portal: ALL, vpnsight_sensor: ALL },
  Alert: { vpnsight_portal: ALL, vpnsight_sensor: ["SELECT", "INSERT", "UPDATE"] },
  AlertDelivery: { vpnsight_portal: ALL, vpnsight_sensor: ALL },
  // Made in the portal; the detector reads the ones in force and counts what each held back.
  DetectionExclusion: { vpnsight_portal: ALL, vpnsight_sensor: ["SELECT", "UPDATE"] },
  SensorStatus: { vpnsight_portal: ALL, vpnsight_sensor: ["SELECT", "INSERT", "UPDATE"] },
  // Counted by the sensors, purged by the detector; the portal's NAS table reads it.
  NasTraffic: { vpnsight_portal: READ, vpnsight_sensor: ALL },
  // Opened and closed by the health checks: the detector's, and the portal's when it lists them (no sensor may run).
  HealthIssue: { vpnsight_portal: ["SELECT", "INSERT", "UPDATE"], vpnsight_sensor: ["SELECT", "INSERT", "UPDATE"] },
  HealthDelivery: { vpnsight_portal: ALL, vpnsight_sensor: ALL },
  // The detector's slice-by-slice jobs keep their place here.
  MaintenanceJob: { vpnsight_portal: READ, vpnsight_sensor: ["SELECT", "UPDATE"] },
};

/**
 * Functions a role may run. They are SECURITY DEFINER (they create and drop the timeline's partitions, which only the
 * owner may) and run by nobody else: the migration revokes them from PUBLIC.
 */
export const FUNCTION_PRIVILEGES: Record<string, RoleName[]> = {
  '"vpnsight_add_timeline_partitions"(integer, integer)': [SENSOR_ROLE],
  '"vpnsight_detach_timeline_partitions"(timestamptz)': [SENSOR_ROLE],
  '"vpnsight_drop_detached_timeline_partitions"()': [SENSOR_ROLE],
};

const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The roles of this list that exist on the server. */
async function existingRoles(client: pg.ClientBase): Promise<RoleName[]> {
  const { rows } = await client.query<{ rolname: RoleName }>("SELECT rolname FROM pg_roles WHERE rolname = ANY($1)", [
    [PORTAL_ROLE, SENSOR_ROLE],
  ]);
  return rows.map((r) => r.rolname);
}

/**
 * Makes each existing role's rights on this database's tables exactly those of TABLE_PRIVILEGES: revokes everything,
 * then grants, in one transaction. Run by the table owner: after migrations (new tables get their grants) and by
 * `vpnsight db roles`.
 */
export async function applyRoleGrants(client: pg.ClientBase): Promise<RoleName[]> {
  const roles = await existingRoles(client);
  if (roles.length === 0) return roles;
  const { rows: tables } = await client.query<{ name: string }>(
    "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()",
  );
  const { rows: sequences } = await client.query<{ table: string; sequence: string }>(
    `SELECT table_name AS "table", pg_get_serial_sequence(quote_ident(table_name), column_name) AS sequence
       FROM information_schema.columns WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'`,
  );
  // Only those the migrations applied so far have made.
  const { rows: made } = await client.query<{ fn: string }>(
    "SELECT fn FROM unnest($1::text[]) AS fn WHERE to_regprocedure(fn) IS NOT NULL",
    [Object.keys(FUNCTION_PRIVILEGES)],
  );
  const functions = new Set(made.map((m) => m.fn));
  const { rows: db } = await client.query<{ name: string }>("SELECT current_database() AS name");
  await client.query("BEGIN");
  try {
    for (const role of roles) {
      await client.query(`GRANT CONNECT ON DATABASE ${ident(db[0]!.name)} TO ${ident(role)}`);
      await client.query(`GRANT USAGE ON SCHEMA ${ident("public")} TO ${ident(role)}`);
      await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${ident(role)}`);
      await client.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${ident(role)}`);
      for (const { name } of tables) {
        const privileges = TABLE_PRIVILEGES[name]?.[role] ?? [];
        if (privileges.length) await client.query(`GRANT ${privileges.join(", ")} ON ${ident(name)} TO ${ident(role)}`);
      }
      for (const { table, sequence } of sequences) {
        if (TABLE_PRIVILEGES[table]?.[role]?.includes("INSERT"))
          await client.query(`GRANT USAGE, SELECT ON SEQUENCE ${sequence} TO ${ident(role)}`);
      }
      for (const [fn, roles] of Object.entries(FUNCTION_PRIVILEGES)) {
        const grant = roles.includes(role);
        if (functions.has(fn))
          await client.query(
            `${grant ? "GRANT" : "REVOKE"} EXECUTE ON FUNCTION ${fn} ${grant ? "TO" : "FROM"} ${ident(role)}`,
          );
      }
    }
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK");
    throw err;
  }
  return roles;
}

export interface CreatedRole {
  role: RoleName;
  /** Set when the role was created or its password replaced; shown once. */
  password: string | null;
}

/**
 * Creates the portal and sensor login roles when missing (with random passwords), or gives them new passwords when
 * asked, then applies the grants. Needs a role that may create roles (CREATEROLE) and owns the tables.
 */
export async function createRoles(
  client: pg.ClientBase,
  opts: { newPasswords?: boolean } = {},
): Promise<CreatedRole[]> {
  const existing = await existingRoles(client);
  const created: CreatedRole[] = [];
  for (const role of [PORTAL_ROLE, SENSOR_ROLE] as const) {
    const exists = existing.includes(role);
    const password = !exists || opts.newPasswords ? randomBytes(24).toString("base64url") : null;
    // Only the SCRAM verifier is sent: the password itself never reaches the server or its statement log.
    if (!exists)
      await client.query(
        `CREATE ROLE ${ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD '${scramVerifier(password!)}'`,
      );
    else if (password) await client.query(`ALTER ROLE ${ident(role)} PASSWORD '${scramVerifier(password)}'`);
    created.push({ role, password });
  }
  await applyRoleGrants(client);
  return created;
}

/** PostgreSQL's stored form of a SCRAM-SHA-256 password (RFC 7677; what `\\password` sends). */
export function scramVerifier(password: string, iterations = 4096): string {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password.normalize("NFKC"), salt, iterations, 32, "sha256");
  const storedKey = createHash("sha256").update(createHmac("sha256", salted).update("Client Key").digest()).digest();
  const serverKey = createHmac("sha256", salted).update("Server Key").digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey.toString("base64")}:${serverKey.toString("base64")}`;
}

/** The database URL for a role: the owner's URL with the role's name and password in place of the owner's. */
export function urlForRole(ownerUrl: string, role: RoleName, password: string | null): string {
  const url = new URL(ownerUrl);
  url.username = role;
  url.password = password ?? "PASSWORD";
  return url.toString();
}
