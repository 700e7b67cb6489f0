// What the database holds of a load run's records, as the generator names them ("session:start", "session:interim1",
// "session:stop"): Start and Stop rows, Interim-Update rows, and each Interim-Update whose counters its session holds
// (one that changed nothing an analyst reads is no timeline row, only an update of its session: lib/sessions/store.ts).
// The generator's Interim-Update k reports k × 300 s of session time.

type Query = <T extends Record<string, unknown>>(sql: string, params: unknown[]) => Promise<T[]>;

export interface StoredRecords {
  keys: Set<string>;
  /** Timeline rows stored more than once. */
  duplicates: number;
  sessions: number;
  distinctSessions: number;
}

export async function storedRecords(query: Query, runId: string, interimsPerSession = 2): Promise<StoredRecords> {
  const rows = await query<{
    id: string;
    duration: number | null;
    kind: string | null;
    step: number | null;
    n: number;
  }>(
    `SELECT s."acctSessionId" AS id, s."durationSeconds" AS duration, e.kind, e."sessionTime" / 300 AS step,
            count(e.id)::int AS n
     FROM "VpnSession" s LEFT JOIN "VpnSessionEvent" e ON e."sessionId" = s.id
     WHERE s."acctSessionId" LIKE $1 GROUP BY 1, 2, 3, 4`,
    [`${runId}-%`],
  );
  const keys = new Set<string>();
  for (const r of rows) {
    if (r.kind) keys.add(`${r.id}:${r.kind === "interim" ? `interim${r.step}` : r.kind}`);
    for (let k = 1; k <= interimsPerSession; k++) if ((r.duration ?? 0) >= k * 300) keys.add(`${r.id}:interim${k}`);
  }
  const [sessions] = await query<{ n: number; d: number }>(
    `SELECT count(*)::int AS n, count(DISTINCT "acctSessionId")::int AS d FROM "VpnSession" WHERE "acctSessionId" LIKE $1`,
    [`${runId}-%`],
  );
  return {
    keys,
    duplicates: rows.filter((r) => r.n > 1).length,
    sessions: sessions!.n,
    distinctSessions: sessions!.d,
  };
}
