import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DurableWriter } from "./durable-writer.ts";
import type { AccountingRecord, SessionEvent } from "./session-event.ts";
import { Spool } from "./spool.ts";

const record = (sessionKey: string, kind: SessionEvent["kind"]) => ({ kind, sessionKey, eventKey: `${sessionKey}|${kind}` }) as SessionEvent;

describe("DurableWriter batches", () => {
  it("hold at most one record per session; a session's later records follow in order in later batches, a NAS event after them", async () => {
    const batches: AccountingRecord[][] = [];
    let release!: () => void;
    const firstBatchHeld = new Promise<void>((r) => (release = r));
    const writer = new DurableWriter({
      async writeToDatabase(records) {
        batches.push(records);
        if (batches.length === 1) await firstBatchHeld; // the rest queues up meanwhile
      },
      databaseReachable: async () => true,
      spool: new Spool(fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-writer-")), 1024 * 1024),
      maxBatch: 100,
      maxConcurrentBatches: 1,
      maxDelayMs: 1,
      writeTimeoutMs: 5000,
      log: () => {},
    });
    const done = [writer.add(record("a", "start"))];
    await new Promise((r) => setTimeout(r, 10));
    for (const [i, kind] of (["interim", "interim", "stop"] as const).entries()) done.push(writer.add(record("a", kind)), writer.add(record(`b-${i}`, "start")));
    done.push(writer.add({ kind: "nas-on", nasKey: "10.0.0.1", eventTime: new Date().toISOString(), terminateCause: "NAS-Reboot" }));
    release();
    await Promise.all(done);
    await writer.close();

    for (const batch of batches) {
      const keys = batch.filter((r) => "sessionKey" in r).map((r) => (r as SessionEvent).sessionKey);
      expect(new Set(keys).size).toBe(keys.length);
    }
    const ofA = batches.flat().filter((r) => "sessionKey" in r && r.sessionKey === "a").map((r) => r.kind);
    expect(ofA).toEqual(["start", "interim", "interim", "stop"]);
    expect(batches.flat()).toHaveLength(8);
    // [a start] [a interim, b-0, b-1, b-2] [a interim] [a stop, nas-on]: the NAS event waits for what came before it.
    expect(batches.map((b) => b.map((r) => ("sessionKey" in r ? `${r.sessionKey}:${r.kind}` : r.kind)))).toEqual([
      ["a:start"],
      ["a:interim", "b-0:start", "b-1:start", "b-2:start"],
      ["a:interim"],
      ["a:stop", "nas-on"],
    ]);
  });

  it("start an Accounting-On/Off only once every earlier record is stored, with what came after it", async () => {
    const batches: string[][] = [];
    const stored = new Set<string>();
    let release!: () => void;
    const firstBatchHeld = new Promise<void>((r) => (release = r));
    const label = (r: AccountingRecord) => ("sessionKey" in r ? `${r.sessionKey}:${r.kind}` : r.kind);
    const writer = new DurableWriter({
      async writeToDatabase(records) {
        const labels = records.map(label);
        batches.push(labels.includes("nas-on") ? [...labels, `stored before: ${[...stored].sort().join(" ")}`] : labels);
        if (batches.length === 1) await firstBatchHeld;
        for (const l of labels) stored.add(l);
      },
      databaseReachable: async () => true,
      spool: new Spool(fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-writer-")), 1024 * 1024),
      maxBatch: 4, // every add starts a batch while one is in flight
      maxConcurrentBatches: 2,
      maxDelayMs: 1,
      writeTimeoutMs: 5000,
      log: () => {},
    });
    const done = [writer.add(record("x", "start"))];
    await new Promise((r) => setTimeout(r, 10));
    done.push(
      writer.add(record("y", "start")),
      writer.add({ kind: "nas-on", nasKey: "10.0.0.1", eventTime: new Date().toISOString(), terminateCause: "NAS-Reboot" }),
      writer.add(record("z", "start")),
    );
    await new Promise((r) => setTimeout(r, 20));
    release();
    await Promise.all(done);
    await writer.close();
    expect(batches).toEqual([["x:start"], ["y:start"], ["nas-on", "z:start", "stored before: x:start y:start"]]);
  });
});
