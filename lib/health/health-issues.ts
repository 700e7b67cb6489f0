// Health issues: the checks' findings (checks.ts) become issues that open and close by themselves, and each opening
// and closing is queued for the SIEM like an alert. Plain SQL through `Sql`, so that the detector (pg) and the portal
// (Prisma) run the same code: the detector every few seconds, the portal when it lists them (a stopped sensor
// runs no detector).
import { z } from "zod";
import { SETTINGS_ROW_ID } from "../db/settings-row.ts";
import { enabledTargets, readForwardingTargets } from "../alerts/delivery.ts";
import type { Sql } from "../db/pg.ts";
import { healthFindings, WRONG_SECRET_REASONS, type HealthFacts } from "./checks.ts";
import { HEALTH_KIND_IDS, type HealthKind } from "./kinds.ts";

/** Per-source counts are kept this long (the NAS table shows 7 days; silent clients are told for longer). */
export const NAS_TRAFFIC_DAYS = 35;

export async function readHealthFacts(sql: Sql): Promise<HealthFacts> {
  const [sources, sensors, clients, vpn, directory] = await Promise.all([
    sql.query<HealthFacts["sources"][number]>(
      `SELECT source,
         max("lastAt") FILTER (WHERE outcome = 'accepted') AS "lastAccepted",
         max("lastAt") FILTER (WHERE outcome = ANY($1)) AS "lastWrongSecret",
         coalesce(sum(count) FILTER (WHERE outcome = ANY($1) AND day >= (now() AT TIME ZONE 'UTC')::date - 1), 0)::int
           AS "wrongSecretRecent"
       FROM "NasTraffic" WHERE day >= (now() AT TIME ZONE 'UTC')::date - $2::int AND source <> 'other'
       GROUP BY source`,
      [[...WRONG_SECRET_REASONS], NAS_TRAFFIC_DAYS],
    ),
    sql.query<HealthFacts["sensors"][number]>(
      `SELECT "sensorId", "lastHeartbeat", "spoolDepth", "spoolSince", "setAside" FROM "SensorStatus"`,
    ),
    sql.query<HealthFacts["clients"][number]>(`SELECT name, address FROM "RadiusClient" ORDER BY name`),
    sql.query<{ silentClientMinutes: number }>(`SELECT "silentClientMinutes" FROM "VpnSettings" WHERE id = $1`, [
      SETTINGS_ROW_ID,
    ]),
    sql.query<{ enabled: boolean; urls: string[]; at: string | null; error: string | null }>(
      `SELECT enabled, urls, "lastSync"->>'at' AS at, "lastSync"->>'error' AS error FROM "DirectorySettings" WHERE id = $1`,
      [SETTINGS_ROW_ID],
    ),
  ]);
  const dir = directory.rows[0];
  return {
    sources: sources.rows,
    sensors: sensors.rows,
    clients: clients.rows,
    silentClientMinutes: vpn.rows[0]?.silentClientMinutes ?? 240,
    directory: {
      enabled: dir?.enabled ?? false,
      urls: dir?.urls ?? [],
      lastSyncAt: dir?.at ?? null,
      lastSyncError: dir?.error ?? null,
    },
  };
}

async function enqueue(sql: Sql, issueId: string, event: "opened" | "closed"): Promise<void> {
  for (const target of enabledTargets(await readForwardingTargets(sql))) {
    await sql.query(
      `INSERT INTO "HealthDelivery" ("issueId", event, target) VALUES ($1::bigint, $2, $3)
       ON CONFLICT ("issueId", event, target) DO NOTHING`,
      [issueId, event, target],
    );
  }
}

/**
 * Opens an issue for each finding not open yet, updates the message of those still true, closes the others. Safe to
 * run from several processes at once: one open row per kind and subject (a unique index), and only the process whose
 * statement changed a row queues its forwarding.
 */
export async function reconcileHealthIssues(
  sql: Sql,
  now = new Date(),
): Promise<{ opened: number; closed: number; open: number }> {
  const findings = healthFindings(await readHealthFacts(sql), now);
  const { rows: open } = await sql.query<{ id: string; kind: string; subject: string; message: string }>(
    `SELECT id::text AS id, kind, subject, message FROM "HealthIssue" WHERE status = 'open'`,
  );
  const key = (kind: string, subject: string) => `${kind}\u0000${subject}`;
  const openByKey = new Map(open.map((o) => [key(o.kind, o.subject), o]));
  let opened = 0;
  let closed = 0;
  for (const f of findings) {
    const existing = openByKey.get(key(f.kind, f.subject));
    openByKey.delete(key(f.kind, f.subject));
    if (existing) {
      if (existing.message !== f.message)
        await sql.query(`UPDATE "HealthIssue" SET message = $2, "updatedAt" = $3 WHERE id = $1::bigint`, [
          existing.id,
          f.message,
          now,
        ]);
      continue;
    }
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO "HealthIssue" (kind, subject, status, message, "openedAt", "updatedAt")
       VALUES ($1, $2, 'open', $3, $4, $5)
       ON CONFLICT (kind, subject) WHERE status = 'open' DO NOTHING RETURNING id::text AS id`,
      [f.kind, f.subject, f.message, f.since && f.since < now ? f.since : now, now],
    );
    if (rows[0]) {
      opened += 1;
      await enqueue(sql, rows[0].id, "opened");
    }
  }
  for (const gone of openByKey.values()) {
    const { rows } = await sql.query<{ id: string }>(
      `UPDATE "HealthIssue" SET status = 'closed', "closedAt" = $2, "updatedAt" = $2
       WHERE id = $1::bigint AND status = 'open' RETURNING id::text AS id`,
      [gone.id, now],
    );
    if (rows[0]) {
      closed += 1;
      await enqueue(sql, rows[0].id, "closed");
    }
  }
  return { opened, closed, open: findings.length };
}

/** Counts by source older than NAS_TRAFFIC_DAYS go (the detector, with the checks). */
export async function purgeNasTraffic(sql: Sql): Promise<void> {
  await sql.query(`DELETE FROM "NasTraffic" WHERE day < (now() AT TIME ZONE 'UTC')::date - $1::int`, [
    NAS_TRAFFIC_DAYS,
  ]);
}

export const HealthIssueQuerySchema = z
  .object({
    status: z.enum(["open", "closed", "all"], { error: "status must be open, closed or all." }).default("open"),
    kind: z.enum(HEALTH_KIND_IDS as [HealthKind, ...HealthKind[]], { error: "Unknown kind." }).optional(),
  })
  .strict();

export interface HealthIssueView {
  id: string;
  kind: HealthKind;
  status: "open" | "closed";
  subject: string;
  message: string;
  openedAt: Date;
  closedAt: Date | null;
}

/** Open ones oldest first; closed ones newest first (the last 200). */
export async function listHealthIssues(
  sql: Sql,
  query: z.output<typeof HealthIssueQuerySchema>,
): Promise<HealthIssueView[]> {
  const { rows } = await sql.query<HealthIssueView>(
    `SELECT id::text AS id, kind, status, subject, message, "openedAt", "closedAt" FROM "HealthIssue"
     WHERE ($1 = 'all' OR status = $1) AND ($2::text IS NULL OR kind = $2)
     ORDER BY status DESC, CASE WHEN status = 'open' THEN "openedAt" END ASC, "closedAt" DESC NULLS LAST, id DESC
     LIMIT 200`,
    [query.status, query.kind ?? null],
  );
  return rows;
}
