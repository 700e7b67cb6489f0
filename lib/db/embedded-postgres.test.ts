import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runningPostmasterPort, startEmbeddedPostgres, type RunningDatabase } from "./embedded-postgres.ts";

const postmasterPid = (dataDir: string) =>
  Number(fs.readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function gone(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

describe("embedded PostgreSQL kept running (npm start)", () => {
  let dataDir: string;
  let database: RunningDatabase;
  const lines: string[] = [];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-keep-"));
    fs.chmodSync(dataDir, 0o755);
    database = await startEmbeddedPostgres({ dataDir, port: 56000 + Math.floor(Math.random() * 2000) });
    database.keepRunning!((line) => lines.push(line));
  }, 120_000);
  afterAll(async () => {
    await database.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("starts the server again after it is stopped from outside and after it is killed", async () => {
    for (const signal of ["SIGINT", "SIGKILL"] as const) {
      const pid = postmasterPid(dataDir);
      process.kill(pid, signal);
      await expect.poll(() => gone(pid), { timeout: 10_000 }).toBe(true);
      await expect.poll(() => answers(database.url), { timeout: 60_000, interval: 500 }).toBe(true);
      expect(postmasterPid(dataDir)).not.toBe(pid);
    }
    expect(lines.filter((l) => l.startsWith("Embedded PostgreSQL exited unexpectedly"))).toHaveLength(2);
    expect(lines.filter((l) => l === "Embedded PostgreSQL is running again")).toHaveLength(2);
  }, 150_000);

  it("stop() ends it for good, also while it is down and waiting to be started again", async () => {
    const pid = postmasterPid(dataDir);
    process.kill(pid, "SIGINT");
    await expect.poll(() => gone(pid), { timeout: 10_000 }).toBe(true);
    await database.stop(); // before the restart is due: must neither hang nor restart it later
    await new Promise((r) => setTimeout(r, 3_000));
    expect(runningPostmasterPort(path.join(dataDir, "postgres"))).toBeNull();
    expect(await answers(database.url)).toBe(false);
  }, 60_000);
});

describe("a private data directory (mode 0700), started as root", () => {
  const asRoot = process.getuid?.() === 0;

  it.runIf(asRoot)(
    "starts: the postgres user may pass through the directory, not list it, and nothing in it is opened up",
    async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-private-")); // mode 0700, like mktemp -d
      expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
      const lines: string[] = [];
      const database = await startEmbeddedPostgres({
        dataDir,
        port: 58000 + Math.floor(Math.random() * 1000),
        log: (l) => lines.push(l),
      });
      try {
        expect(await answers(database.url)).toBe(true);
        expect(fs.statSync(dataDir).mode & 0o777).toBe(0o701);
        expect(fs.statSync(path.join(dataDir, "postgres.password")).mode & 0o777).toBe(0o600);
        expect(lines.join("\n")).toContain("pass through");
      } finally {
        await database.stop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    },
    120_000,
  );

  it.runIf(asRoot)(
    "below a directory the postgres user cannot enter, says exactly what to change, and changes nothing",
    async () => {
      const parent = fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-closed-"));
      try {
        const dataDir = path.join(parent, "data");
        await expect(startEmbeddedPostgres({ dataDir, port: 59000 })).rejects.toThrow(
          `cannot enter ${parent} (mode 0700)`,
        );
        await expect(startEmbeddedPostgres({ dataDir, port: 59000 })).rejects.toThrow(`chmod o+x ${parent}`);
        expect(fs.statSync(parent).mode & 0o777).toBe(0o700);
        expect(fs.existsSync(dataDir)).toBe(false);
      } finally {
        fs.rmSync(parent, { recursive: true, force: true });
      }
    },
  );
});
