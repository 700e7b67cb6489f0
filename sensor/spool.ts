import fs from "node:fs";
import path from "node:path";
import { crc32 } from "node:zlib";
import type { AccountingRecord } from "../lib/sessions/accounting-record.ts";

export class SpoolFullError extends Error {
  override name = "SpoolFullError";
}

const HEADER = 8; // u32 length + u32 crc32 of the payload
const SEGMENT_MAX_BYTES = 64 * 1024 * 1024; // bounded segments: replay reads one file at a time

/**
 * A durable local queue for when PostgreSQL is unreachable: append-only
 * segment files, one entry per batch, fsync'd before the batch is answered,
 * with a checksum per entry (a torn tail after a crash was never answered and is skipped).
 */
export class Spool {
  private active: fs.promises.FileHandle | null = null;
  private activeSeq = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private bytes = 0;
  private entries = 0;
  private appending = 0;
  private activeBytes = 0;
  /** The spool's size when an append was last refused for lack of room (null: none since it last shrank). */
  private refusedAtBytes: number | null = null;

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly segmentMaxBytes = SEGMENT_MAX_BYTES,
  ) {
    // Records hold user names and addresses: only the sensor's user may read them.
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    for (const file of this.segmentFiles()) {
      this.bytes += fs.statSync(file).size;
      this.entries += checkedPayloads(fs.readFileSync(file)).payloads.length;
    }
    this.activeSeq = this.segmentFiles().length ? seqOf(this.segmentFiles().at(-1)!) + 1 : 1;
  }

  /** Batches waiting to be replayed. */
  get depth(): number {
    return this.entries;
  }
  get sizeBytes(): number {
    return this.bytes;
  }
  /**
   * Could a record be spooled now? False from a refused append until replay has freed space: what a Status-Server
   * answer promises (the sensor would answer accounting).
   */
  get hasRoom(): boolean {
    return this.refusedAtBytes === null || this.bytes < this.refusedAtBytes;
  }
  /** Nothing stored and nothing being appended. */
  get isEmpty(): boolean {
    return this.entries === 0 && this.appending === 0;
  }

  private segmentFiles(): string[] {
    return fs
      .readdirSync(this.dir)
      .filter((f) => /^seg-\d{16}\.spool$/.test(f))
      .sort()
      .map((f) => path.join(this.dir, f));
  }

  /** Appends one batch durably (write + fdatasync). Throws SpoolFullError beyond SPOOL_MAX_MB. */
  append(records: AccountingRecord[]): Promise<void> {
    const run = async () => {
      const payload = Buffer.from(JSON.stringify(records));
      if (this.bytes + payload.length + HEADER > this.maxBytes) {
        this.refusedAtBytes = this.bytes;
        throw new SpoolFullError("spool is full");
      }
      const entry = Buffer.alloc(HEADER + payload.length);
      entry.writeUInt32BE(payload.length, 0);
      entry.writeUInt32BE(crc32(payload), 4);
      payload.copy(entry, HEADER);
      if (this.active && this.activeBytes + entry.length > this.segmentMaxBytes) {
        await this.active.close();
        this.active = null;
        this.activeSeq += 1;
      }
      if (!this.active) {
        this.active = await fs.promises.open(path.join(this.dir, segmentName(this.activeSeq)), "a", 0o600);
        this.activeBytes = 0;
      }
      await this.active.write(entry);
      await this.active.datasync();
      this.bytes += entry.length;
      this.activeBytes += entry.length;
      this.entries += 1;
    };
    this.appending += 1;
    const result = this.chain.then(run, run).finally(() => (this.appending -= 1));
    this.chain = result.catch(() => {});
    return result;
  }

  /**
   * Replays every entry, oldest first, through `apply` (which must be
   * idempotent), deleting each segment once applied. Resolves when empty.
   */
  async drain(
    apply: (records: AccountingRecord[]) => Promise<void>,
    onCorrupt?: (file: string) => void,
  ): Promise<void> {
    for (;;) {
      // Only sealed segments: appends made meanwhile go to newer ones and are never touched here.
      const boundary = await this.sealActive();
      const files = this.segmentFiles().filter((f) => seqOf(f) < boundary);
      if (!files.length) return;
      for (const file of files) {
        const { payloads, corrupt } = checkedPayloads(fs.readFileSync(file));
        if (corrupt) onCorrupt?.(file);
        // Parsed a few entries at a time, so a long outage's segment is never all in memory as objects.
        for (let i = 0; i < payloads.length; i += 20) {
          await apply(payloads.slice(i, i + 20).flatMap(parsePayload));
        }
        const size = fs.statSync(file).size;
        fs.unlinkSync(file);
        this.bytes -= size;
        this.entries -= payloads.length;
      }
    }
  }

  /**
   * Closes the active segment (after the appends before it) so new appends go
   * to a fresh one; returns the first sequence number not sealed.
   */
  private sealActive(): Promise<number> {
    const run = async () => {
      if (this.active) {
        await this.active.close();
        this.active = null;
        this.activeSeq += 1;
      }
      return this.activeSeq;
    };
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => {});
    return result;
  }

  async close(): Promise<void> {
    await this.sealActive();
  }

  /**
   * Keeps answered records the database refused (a value it cannot hold) in refused.jsonl, one JSON
   * record per line, fsync'd: they were acknowledged, so they are never dropped; never replayed.
   */
  async setAside(records: AccountingRecord[]): Promise<void> {
    const file = await fs.promises.open(path.join(this.dir, REFUSED_FILE), "a", 0o600);
    try {
      await file.write(records.map((r) => `${JSON.stringify(r)}\n`).join(""));
      await file.datasync();
    } finally {
      await file.close();
    }
  }
}

export const REFUSED_FILE = "refused.jsonl";

/** How many records refused.jsonl holds now (0 once an admin has moved it away): a health issue while any. */
export async function countSetAside(dir: string): Promise<number> {
  try {
    const data = await fs.promises.readFile(path.join(dir, REFUSED_FILE));
    let lines = 0;
    for (let i = data.indexOf(10); i !== -1; i = data.indexOf(10, i + 1)) lines += 1;
    return lines;
  } catch {
    return 0; // no such file: nothing set aside
  }
}
const segmentName = (seq: number) => `seg-${String(seq).padStart(16, "0")}.spool`;
const seqOf = (file: string) => Number(path.basename(file).slice(4, 20));

/** The entries of a segment whose checksum holds, up to the first torn or corrupt one. */
function checkedPayloads(data: Buffer): { payloads: Buffer[]; corrupt: boolean } {
  const payloads: Buffer[] = [];
  let offset = 0;
  while (offset < data.length) {
    if (offset + HEADER > data.length) return { payloads, corrupt: true };
    const length = data.readUInt32BE(offset);
    const checksum = data.readUInt32BE(offset + 4);
    const payload = data.subarray(offset + HEADER, offset + HEADER + length);
    if (payload.length !== length || crc32(payload) !== checksum) return { payloads, corrupt: true };
    payloads.push(payload);
    offset += HEADER + length;
  }
  return { payloads, corrupt: false };
}

const parsePayload = (payload: Buffer) => JSON.parse(payload.toString("utf8")) as AccountingRecord[];
