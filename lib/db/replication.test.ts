// A real primary and streaming standby (Debian's postgresql-15, pg_basebackup -R): the read replica the portal's
// activity pages use, what the sensors panel says of it, and the host list that finds the primary.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient, dbRead, type Db } from "./prisma.ts";
import { migrateDatabase } from "./migrator.ts";
import { hostOf, primaryUrl } from "./failover.ts";
import { replicationStatus } from "./replication.ts";
import { pg15Available, startPrimary, startStandby, stopNode, type PgNode } from "../testing/pg-cluster.ts";
import pg from "pg";

const available = pg15Available();
let base: string;
let primary: PgNode;
let standby: PgNode;
let onPrimary: Db;
let onStandby: Db;

beforeAll(async () => {
  if (!available) return;
  base = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-replica-"));
  fs.chmodSync(base, 0o755);
  const port = 61000 + Math.floor(Math.random() * 2000);
  primary = startPrimary(base, port);
  const admin = new pg.Client({ connectionString: primary.url("postgres") });
  await admin.connect();
  await admin.query("CREATE DATABASE vpnsight");
  await admin.end();
  await migrateDatabase(primary.url("vpnsight"));
  standby = startStandby(base, primary, port + 1);
  onPrimary = createPrismaClient(primary.url("vpnsight"));
  onStandby = createPrismaClient(standby.url("vpnsight"));
}, 120_000);
afterAll(async () => {
  if (!available) return;
  await onPrimary?.$disconnect();
  await onStandby?.$disconnect();
  if (standby) stopNode(standby);
  if (primary) stopNode(primary);
  fs.rmSync(base, { recursive: true, force: true });
});

describe.runIf(available)("a streaming replica", () => {
  it("serves the activity reads, and the sensors panel says how far behind it is", async () => {
    await onPrimary.identity.create({
      data: { identity: "rita@contoso.com", firstSeenAt: new Date(), lastSeenAt: new Date() },
    });
    // Caught up within a moment: the row is on the standby, 0 bytes behind.
    await expect
      .poll(async () => (await onStandby.identity.findUnique({ where: { identity: "rita@contoso.com" } }))?.identity, {
        timeout: 10_000,
      })
      .toBe("rita@contoso.com");
    await expect
      .poll(async () => await replicationStatus(onPrimary, onStandby), { timeout: 10_000 })
      .toEqual({ state: "replica", bytesBehind: 0, secondsBehind: 0 });
    // The primary named as the replica, and a replica that is down, are told apart.
    expect(await replicationStatus(onPrimary, onPrimary)).toEqual({ state: "not-a-replica" });
    const nowhere = createPrismaClient(`postgresql://postgres@127.0.0.1:1/vpnsight`);
    expect((await replicationStatus(onPrimary, nowhere)).state).toBe("unreachable");
    await nowhere.$disconnect();

    // DATABASE_READ_URL routes dbRead() to the replica.
    process.env.DATABASE_READ_URL = standby.url("vpnsight");
    try {
      const [row] = await dbRead().$queryRaw<{ standby: boolean }[]>`SELECT pg_is_in_recovery() AS standby`;
      expect(row!.standby).toBe(true);
    } finally {
      await dbRead().$disconnect();
      delete process.env.DATABASE_READ_URL;
    }
  });

  it("a host list resolves to the primary whatever its order", async () => {
    const list = `postgresql://postgres@127.0.0.1:${standby.port},127.0.0.1:${primary.port}/vpnsight?target_session_attrs=read-write`;
    expect(hostOf(await primaryUrl(list))).toBe(`127.0.0.1:${primary.port}`);
  });
});
