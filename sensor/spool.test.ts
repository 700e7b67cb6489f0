// The spool as a crash leaves it: real files, cut or damaged the way a power loss or a bad disk does.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { AccountingRecord } from "../lib/sessions/accounting-record.ts";
import { Spool, SpoolFullError } from "./spool.ts";

const batch = (n: number) =>
  [{ kind: "event", acctSessionId: `S-${n}`, userName: `user${n}@contoso.com` }] as unknown as AccountingRecord[];
/** Replay hands over several batches' records at once: the ids of all of them. */
const idsOf = (records: AccountingRecord[]) =>
  records.map((r) => (r as unknown as { acctSessionId: string }).acctSessionId);
const freshDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-spool-"));
const segments = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".spool"))
    .sort();

async function replay(spool: Spool) {
  const applied: string[] = [];
  const corrupt: string[] = [];
  await spool.drain(
    async (records) => void applied.push(...idsOf(records)),
    (file) => corrupt.push(path.basename(file)),
  );
  return { applied, corrupt };
}

describe("the spool", () => {
  it("replays in order and removes what it replayed; segments and directory are private", async () => {
    const dir = freshDir();
    const spool = new Spool(dir, 1 << 20);
    for (let i = 1; i <= 3; i++) await spool.append(batch(i));
    expect(spool.depth).toBe(3);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(dir, segments(dir)[0]!)).mode & 0o777).toBe(0o600);
    expect(await replay(spool)).toEqual({ applied: ["S-1", "S-2", "S-3"], corrupt: [] });
    expect(spool.depth).toBe(0);
    expect(spool.sizeBytes).toBe(0);
    expect(segments(dir)).toEqual([]);
  });

  it("after a crash mid-write, skips the torn tail (never answered) and replays everything before it", async () => {
    const dir = freshDir();
    const spool = new Spool(dir, 1 << 20);
    for (let i = 1; i <= 3; i++) await spool.append(batch(i));
    await spool.close();
    const file = path.join(dir, segments(dir)[0]!);
    fs.truncateSync(file, fs.statSync(file).size - 5); // the last entry lost its end
    const reopened = new Spool(dir, 1 << 20);
    expect(reopened.depth).toBe(2);
    expect(await replay(reopened)).toEqual({ applied: ["S-1", "S-2"], corrupt: [path.basename(file)] });
    // A header cut short is a torn tail too.
    await reopened.append(batch(4));
    await reopened.close();
    fs.appendFileSync(path.join(dir, segments(dir)[0]!), Buffer.from([0, 0, 0]));
    expect(await replay(new Spool(dir, 1 << 20))).toMatchObject({ applied: ["S-4"] });
  });

  it("stops at an entry whose checksum does not match (a damaged disk block), and reports the file", async () => {
    const dir = freshDir();
    const spool = new Spool(dir, 1 << 20);
    for (let i = 1; i <= 3; i++) await spool.append(batch(i));
    await spool.close();
    const file = path.join(dir, segments(dir)[0]!);
    const data = fs.readFileSync(file);
    const second = data.indexOf("S-2");
    data[second] = data[second]! ^ 0xff;
    fs.writeFileSync(file, data);
    const reopened = new Spool(dir, 1 << 20);
    expect(reopened.depth).toBe(1);
    expect(await replay(reopened)).toEqual({ applied: ["S-1"], corrupt: [path.basename(file)] });
  });

  it("rolls over to a new segment past the segment size, and replays across segments in order", async () => {
    const dir = freshDir();
    const spool = new Spool(dir, 1 << 20, 200);
    for (let i = 1; i <= 6; i++) await spool.append(batch(i));
    expect(segments(dir).length).toBeGreaterThanOrEqual(3);
    for (const f of segments(dir)) expect(fs.statSync(path.join(dir, f)).size).toBeLessThanOrEqual(200);
    // Appends made while replaying go to a newer segment, replayed in the same drain.
    let appended = false;
    const applied: string[] = [];
    await spool.drain(async (records) => {
      applied.push(...idsOf(records));
      if (!appended) {
        appended = true;
        await spool.append(batch(7));
      }
    });
    expect(applied).toEqual(["S-1", "S-2", "S-3", "S-4", "S-5", "S-6", "S-7"]);
    expect(segments(dir)).toEqual([]);
  });

  it("refuses an append beyond its size with SpoolFullError, and has room again once replayed", async () => {
    const dir = freshDir();
    const spool = new Spool(dir, 150);
    await spool.append(batch(1));
    await expect(spool.append(batch(2))).rejects.toBeInstanceOf(SpoolFullError);
    expect(spool.hasRoom).toBe(false);
    expect(spool.depth).toBe(1);
    await replay(spool);
    expect(spool.hasRoom).toBe(true);
    await spool.append(batch(3));
    expect(spool.depth).toBe(1);
  });
});
