import pg from "pg";

// Plain pg for the sensor's processes and the detector: Prisma's runtime and query compiler
// cost a process about 70 MB more memory, and these paths only run SQL of their own.

/** A pool or a client inside a transaction: whatever can run one statement. */
export type Queryable = Pick<pg.Pool, "query">;

/** Less than Queryable: rows only. A pg pool or client is one, and so is the portal's Prisma through prismaSql. */
export interface Sql {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/**
 * Runs `work` in one transaction on a pooled connection: COMMIT when it resolves, ROLLBACK
 * when it throws; a connection that broke mid-transaction is discarded, not reused.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A connection lost mid-transaction surfaces in the failing query; without a
  // listener pg would also emit it as an uncaught "error" event.
  const ignoreLostConnection = () => {};
  client.on("error", ignoreLostConnection);
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    broken = err as Error;
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.removeListener("error", ignoreLostConnection);
    client.release(broken);
  }
}
