// Bytes on disk per table: heap (with TOAST) and indexes; a partitioned table's are its partitions'.
import type pg from "pg";

export interface TableSize {
  name: string;
  /** From the statistics (ANALYZE first). */
  rows: number;
  table: number;
  indexes: number;
}

export async function tableSizes(db: pg.ClientBase | pg.Pool, tables: string[]): Promise<TableSize[]> {
  const { rows } = await db.query<TableSize>(
    `SELECT c.relname AS name, sum(GREATEST(l.reltuples, 0))::float8 AS rows,
            sum(pg_table_size(l.oid))::float8 AS "table", sum(pg_indexes_size(l.oid))::float8 AS indexes
       FROM pg_class c
       JOIN pg_class l ON l.oid = c.oid AND c.relkind = 'r'
                       OR l.oid IN (SELECT relid FROM pg_partition_tree(c.oid) WHERE isleaf) AND c.relkind = 'p'
      WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY($1)
      GROUP BY c.relname ORDER BY 1`,
    [tables],
  );
  return rows;
}
