import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DurableWriter } from "./durable-writer.ts";
import type { AccountingRecord, SessionEvent } from "../lib/sessions/accounting-record.ts";
import { Spool } from "./spool.ts";

const record = (sessionKey: string, kind: SessionEvent["kind"]) => ({ kind, sessionKey }) as SessionEvent;
const nasOn = (): AccountingRecord => ({
  kind: "nas-on",
  nasKey: "10.0.0.1",
  eventTime: new Date().toISOString(),
  terminateCause: "NAS-Reboot",
});
const label = (r: AccountingRecord) => ("sessionKey" in r ? `${r.sessionKey}:${r.kind}` : r.kind);

/** A writer whose first batch is held until release(): the rest queues up meanwhile. Keeps each batch and what was stored before it. */
function heldWriter(maxBatch: number, maxConcurrentBatches: number, maxDelayMs = 1) {
  const batches: AccountingRecord[][] = [];
  const storedBefore: string[][] = [];
  const stored = new Set<string>();
  let release!: () => void;
  const firstBatchHeld = new Promise<void>((r) => (release = r));
  const writer = new DurableWriter({
    async writeToDatabase(records) {
      batches.push(records);
      storedBefore.push([...stored].sort());
      if (batches.length === 1) await firstBatchHeld;
      for (const r of records) stored.add(label(r));
    },
    databaseReachable: async () => true,
    isRefused: () => false,
    spool: new Spool(fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-writer-")), 1024 * 1024),
    maxBatch,
    maxConcurrentBatches,
    maxDelayMs,
    writeTimeoutMs: 5000,
    log: () => {},
  });
  return { writer, batches, storedBefore, release };
}

describe("DurableWriter batches", () => {
  it("hold at most one record per session; a session's later records follow in order in later batches, a NAS event after them", async () => {
    const { writer, batches, release } = heldWriter(100, 1);
    const done = [writer.add(record("a", "start"))];
    await new Promise((r) => setTimeout(r, 10));
    for (const [i, kind] of (["interim", "interim", "stop"] as const).entries())
      done.push(writer.add(record("a", kind)), writer.add(record(`b-${i}`, "start")));
    done.push(writer.add(nasOn()));
    release();
    await Promise.all(done);
    await writer.close();

    for (const batch of batches) {
      const keys = batch.filter((r) => "sessionKey" in r).map((r) => (r as SessionEvent).sessionKey);
      expect(new Set(keys).size).toBe(keys.length);
    }
    const ofA = batches
      .flat()
      .filter((r) => "sessionKey" in r && r.sessionKey === "a")
      .map((r) => r.kind);
    expect(ofA).toEqual(["start", "interim", "interim", "stop"]);
    expect(batches.flat()).toHaveLength(8);
    // [a start] [a interim, b-0, b-1, b-2] [a interim] [a stop, nas-on]: the NAS event waits for what came before it.
    expect(batches.map((b) => b.map(label))).toEqual([
      ["a:start"],
      ["a:interim", "b-0:start", "b-1:start", "b-2:start"],
      ["a:interim"],
      ["a:stop", "nas-on"],
    ]);
  });

  it("start an Accounting-On/Off only once every earlier record is stored, with what came after it", async () => {
    const { writer, batches: written, storedBefore, release } = heldWriter(4, 2); // maxBatch 4: every add starts a batch while one is in flight
    const done = [writer.add(record("x", "start"))];
    await new Promise((r) => setTimeout(r, 10));
    done.push(writer.add(record("y", "start")), writer.add(nasOn()), writer.add(record("z", "start")));
    await new Promise((r) => setTimeout(r, 20));
    release();
    await Promise.all(done);
    await writer.close();
    const batches = written.map((b, i) =>
      b.some((r) => r.kind === "nas-on")
        ? [...b.map(label), `stored before: ${storedBefore[i]!.join(" ")}`]
        : b.map(label),
    );
    expect(batches).toEqual([["x:start"], ["y:start"], ["nas-on", "z:start", "stored before: x:start y:start"]]);
  });

  it("let a record wait for company up to maxDelayMs after a batch in flight ends, not only when idle", async () => {
    const { writer, batches, release } = heldWriter(100, 1, 60);
    const done = [writer.add(record("a", "start"))];
    await new Promise((r) => setTimeout(r, 80)); // a's own wait: the first batch, held in the database
    done.push(writer.add(record("b", "start")));
    release(); // the first batch ends; b has waited ~0 ms of its 60
    await new Promise((r) => setTimeout(r, 10));
    done.push(writer.add(record("c", "start")));
    await Promise.all(done);
    await writer.close();
    // Before, the end of a batch wrote whatever was queued at once: [a] [b] [c].
    expect(batches.map((b) => b.map(label))).toEqual([["a:start"], ["b:start", "c:start"]]);
  });
});
