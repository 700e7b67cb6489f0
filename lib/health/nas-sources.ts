// The NAS table of Settings › Identities › VPN: every source that sent to a sensor in the last 7 days, with what was
// accepted and what was dropped and why, so a misconfigured device can be told by its address.
import { z } from "zod";
import type { Sql } from "../db/pg.ts";
import { coveringClient, ipBlockMatcher, parseIpOrCidr } from "../net/cidr.ts";

export const NAS_TABLE_DAYS = 7;

export interface NasSourceView {
  source: string;
  /** The RADIUS client whose address covers it; null: no client (global secret, or dropped as unknown). */
  client: string | null;
  /** The vendor detected in its last accepted accounting (microsoft, f5, checkpoint, cisco_asa, other); null: none. */
  vendor: string | null;
  accepted: number;
  statusServer: number;
  /** Drops by reason (the sensor's reasons: bad_authenticator, unknown_client, …). */
  dropped: Record<string, number>;
  lastPacketAt: Date;
  lastAcceptedAt: Date | null;
  lastDroppedAt: Date | null;
}

export const NasSourcesQuerySchema = z
  .object({
    notCoveredBy: z
      .string()
      .trim()
      .refine((s) => parseIpOrCidr(s) !== null, "notCoveredBy is an IP address or CIDR block, such as 10.0.0.0/24.")
      .optional()
      .describe("Only the sources this address or block does not cover: what a first RADIUS client would drop"),
  })
  .strict();

export async function listNasSources(
  sql: Sql,
  query: z.output<typeof NasSourcesQuerySchema> = {},
): Promise<NasSourceView[]> {
  const [{ rows }, { rows: clients }] = await Promise.all([
    sql.query<{ source: string; outcome: string; count: number; lastAt: Date; vendor: string | null }>(
      `SELECT source, outcome, sum(count)::int AS count, max("lastAt") AS "lastAt",
              (array_agg(vendor ORDER BY "lastAt" DESC) FILTER (WHERE vendor IS NOT NULL))[1] AS vendor
       FROM "NasTraffic"
       WHERE day >= (now() AT TIME ZONE 'UTC')::date - $1::int AND "lastAt" >= now() - make_interval(days => $1::int)
       GROUP BY source, outcome`,
      [NAS_TABLE_DAYS],
    ),
    sql.query<{ name: string; address: string }>(`SELECT name, address FROM "RadiusClient" ORDER BY name`),
  ]);
  const clientOf = coveringClient(clients);
  const bySource = new Map<string, NasSourceView>();
  for (const r of rows) {
    let view = bySource.get(r.source);
    if (!view) {
      view = {
        source: r.source,
        client: clientOf(r.source)?.name ?? null,
        vendor: null,
        accepted: 0,
        statusServer: 0,
        dropped: {},
        lastPacketAt: r.lastAt,
        lastAcceptedAt: null,
        lastDroppedAt: null,
      };
      bySource.set(r.source, view);
    }
    if (r.lastAt > view.lastPacketAt) view.lastPacketAt = r.lastAt;
    if (r.outcome === "accepted") {
      view.accepted += r.count;
      view.lastAcceptedAt = r.lastAt;
      view.vendor = r.vendor;
    } else if (r.outcome === "status_server") view.statusServer += r.count;
    else {
      view.dropped[r.outcome] = (view.dropped[r.outcome] ?? 0) + r.count;
      if (!view.lastDroppedAt || r.lastAt > view.lastDroppedAt) view.lastDroppedAt = r.lastAt;
    }
  }
  const covered = query.notCoveredBy ? ipBlockMatcher(parseIpOrCidr(query.notCoveredBy)!) : () => false;
  return [...bySource.values()]
    .filter((v) => !covered(v.source))
    .sort((a, b) => b.lastPacketAt.getTime() - a.lastPacketAt.getTime());
}
