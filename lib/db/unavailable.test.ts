import net from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import { AppError } from "../errors.ts";
import { createPrismaClient } from "./prisma.ts";
import { isDatabaseUnavailable } from "./unavailable.ts";

async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (err) {
    return err;
  }
  throw new Error("expected a failure");
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe("isDatabaseUnavailable", () => {
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(() => test.drop());

  it("recognises a stopped server through Prisma (model and raw queries) and plain pg", async () => {
    const url = `postgresql://nobody:x@127.0.0.1:${await closedPort()}/none`;
    const prisma = createPrismaClient(url);
    expect(isDatabaseUnavailable(await failureOf(() => prisma.user.count()))).toBe(true);
    expect(isDatabaseUnavailable(await failureOf(() => prisma.$queryRaw`SELECT 1`))).toBe(true);
    const pool = new pg.Pool({ connectionString: url });
    expect(isDatabaseUnavailable(await failureOf(() => pool.query("SELECT 1")))).toBe(true);
    await pool.end();
  });

  it("recognises a server that accepts but never answers, once the connect timeout passes", async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => void sockets.push(socket)).listen(0, "127.0.0.1");
    await new Promise((r) => silent.once("listening", r));
    const { port } = silent.address() as net.AddressInfo;
    const prisma = createPrismaClient(`postgresql://nobody:x@127.0.0.1:${port}/none`, { connectionTimeoutMillis: 300 });
    expect(isDatabaseUnavailable(await failureOf(() => prisma.user.count()))).toBe(true);
    for (const socket of sockets) socket.destroy();
    silent.close();
  });

  it("gives up on a database that stops answering on an open connection, once the query timeout passes", async () => {
    const prisma = createPrismaClient(test.url, { max: 1, query_timeout: 500 });
    const { pid } = (await prisma.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`)[0]!;
    process.kill(pid, "SIGSTOP"); // the server process behind the pooled connection hangs
    try {
      const started = Date.now();
      const failure = await failureOf(() => prisma.$queryRaw`SELECT 1`);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(isDatabaseUnavailable(failure)).toBe(true);
    } finally {
      process.kill(pid, "SIGCONT");
    }
    // The hung connection was dropped, not reused: the next query gets a fresh one.
    const { again } = (await prisma.$queryRaw<{ again: number }[]>`SELECT pg_backend_pid() AS again`)[0]!;
    expect(again).not.toBe(pid);
    await prisma.$disconnect();
  });

  it("recognises a connection the server ended (administrator shutdown of the backend)", async () => {
    const pool = new pg.Pool({ connectionString: test.url, max: 1 });
    pool.on("error", () => {});
    const client = await pool.connect();
    client.on("error", () => {});
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    await test.query("SELECT pg_terminate_backend($1)", [rows[0]!.pid]);
    expect(isDatabaseUnavailable(await failureOf(() => client.query("SELECT 1")))).toBe(true);
    client.release(true);
    await pool.end();
  });

  it("does not take bad SQL, a constraint violation or an application error for an outage", async () => {
    expect(isDatabaseUnavailable(await failureOf(() => test.db.$queryRawUnsafe("SELEKT 1")))).toBe(false);
    await test.db.user.create({ data: { email: "a@example.test", passwordHash: "x", role: "admin" } });
    expect(
      isDatabaseUnavailable(
        await failureOf(() =>
          test.db.user.create({ data: { email: "a@example.test", passwordHash: "x", role: "admin" } }),
        ),
      ),
    ).toBe(false);
    expect(isDatabaseUnavailable(new AppError("validation", "bad", 400))).toBe(false);
    expect(isDatabaseUnavailable(new Error("something else"))).toBe(false);
  });
});
