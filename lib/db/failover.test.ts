import { describe, expect, it } from "vitest";
import { hostOf, hostUrls, primaryPool, primaryUrl } from "./failover.ts";
import { inject } from "vitest";

describe("a host list in DATABASE_URL (libpq's form)", () => {
  it("becomes one URL per host, with the user, database and other parameters kept", () => {
    expect(
      hostUrls("postgresql://vs:p%40ss@db1:5432,db2:5433/vpnsight?target_session_attrs=read-write&sslmode=require"),
    ).toEqual([
      "postgresql://vs:p%40ss@db1:5432/vpnsight?sslmode=require",
      "postgresql://vs:p%40ss@db2:5433/vpnsight?sslmode=require",
    ]);
    expect(hostUrls("postgres://db1,db2/vpnsight?target_session_attrs=read-write")).toEqual([
      "postgres://db1/vpnsight",
      "postgres://db2/vpnsight",
    ]);
    const one = "postgresql://vs:secret@db1:5432/vpnsight";
    expect(hostUrls(one)).toEqual([one]);
    expect(hostOf("postgresql://vs:secret@db1:5432/vpnsight")).toBe("db1:5432"); // never the password
  });

  it("resolves to the host that accepts writes, skipping one that does not answer", async () => {
    const live = new URL(inject("adminDatabaseUrl"));
    const dead = `127.0.0.1:1`; // nothing listens there
    const list = `postgresql://${live.username}:${live.password}@${dead},${live.host}${live.pathname}`;
    expect(hostOf(await primaryUrl(list))).toBe(live.host);
  });

  it("makes a pool's first connection on the writable host, even when the list starts with another", async () => {
    const live = new URL(inject("adminDatabaseUrl"));
    const list = `postgresql://${live.username}:${live.password}@127.0.0.1:1,${live.host}${live.pathname}`;
    const pool = primaryPool(list, { max: 2 });
    try {
      // Both forms pg-pool is used in: query() (a callback inside) and connect() (a promise).
      const { rows } = await pool.query<{ standby: boolean }>("SELECT pg_is_in_recovery() AS standby");
      expect(rows[0]?.standby).toBe(false);
      const client = await pool.connect();
      client.release();
    } finally {
      await pool.end();
    }
  });
});
