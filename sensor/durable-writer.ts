import type { AccountingRecord } from "../lib/sessions/accounting-record.ts";
import type { Spool } from "./spool.ts";

interface Pending {
  record: AccountingRecord;
  /** performance.now() when it was queued. */
  at: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export interface DurableWriterOptions {
  /** Writes one batch to PostgreSQL in one transaction (idempotent). */
  writeToDatabase: (records: AccountingRecord[]) => Promise<void>;
  /** Cheap reachability check used before replaying the spool. */
  databaseReachable: () => Promise<boolean>;
  /** The database refused the data itself (a value it cannot hold): not an outage, and retrying cannot help. */
  isRefused: (err: unknown) => boolean;
  /**
   * A record the database refused, written alone. From a live batch it is not answered (RFC 2866: what cannot be
   * recorded is not acknowledged); from the spool it was answered already, so it is set aside (spool/refused.jsonl).
   */
  onRefused?: (record: AccountingRecord, err: Error, answered: boolean) => void;
  spool: Spool;
  maxBatch: number;
  /** Batches being made durable at once (PostgreSQL flushes their WAL together). */
  maxConcurrentBatches: number;
  /**
   * How long a record may wait for company before its batch is written, also while a batch is in flight: every
   * statement costs the database and the sensor a fixed amount (its round trip, its commit, its wake-ups), so at an
   * everyday rate a few milliseconds' wait shares that cost among several records instead of one or two.
   */
  maxDelayMs: number;
  /** A database write slower than this is treated as an outage: the batch goes to the spool. */
  writeTimeoutMs: number;
  onBatch?: (size: number, target: "database" | "spool", seconds: number) => void;
  onModeChange?: (mode: "database" | "spool") => void;
  log: (msg: string, extra?: object) => void;
}

class TimeoutError extends Error {}

/** The record was refused by the database (the caller must not answer). */
export class RecordRefusedError extends Error {
  override name = "RecordRefusedError";
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(`no answer within ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}

/**
 * Group commit with a durable fallback. `add` resolves only once the record is
 * durable: committed in PostgreSQL, or fsync'd in the spool while the database
 * is unreachable or too slow. It rejects (the caller must not answer) when the spool is full.
 */
export class DurableWriter {
  private queue: Pending[] = [];
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private replaying = false;
  private replayTimer: NodeJS.Timeout;
  mode: "database" | "spool";

  constructor(private readonly opts: DurableWriterOptions) {
    // Records left in the spool by an earlier run are replayed before the database takes writes again.
    this.mode = opts.spool.isEmpty ? "database" : "spool";
    this.replayTimer = setInterval(() => void this.replay(), 500);
  }

  get queued(): number {
    return this.queue.length;
  }

  add(record: AccountingRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ record, resolve, reject, at: performance.now() });
      this.schedule();
    });
  }

  /**
   * When the queue is written: at once when full enough (maxBatch / 4), else once its oldest record has waited
   * maxDelayMs. Either way kick() starts a batch only while fewer than maxConcurrentBatches are in flight; a batch's
   * end calls this again, so what queued meanwhile is written together (group commit).
   */
  private schedule(): void {
    if (this.queue.length >= this.opts.maxBatch / 4) return this.kick();
    if (this.timer || !this.queue.length) return;
    const left = this.queue[0]!.at + this.opts.maxDelayMs - performance.now();
    if (left <= 0) this.kick();
    else this.timer = setTimeout(() => this.kick(), left);
  }

  private kick(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.queue.length && this.inFlight < this.opts.maxConcurrentBatches) {
      const batch = this.takeBatch();
      if (!batch.length) break; // only an Accounting-On/Off, waiting for the batches in flight
      void this.flush(batch);
    }
  }

  /**
   * Up to maxBatch queued records, at most one per session: the store then writes the batch
   * in one statement, without a transaction that holds row locks across round trips.
   * A second record of a session stays queued for the next batch. An Accounting-On/Off waits
   * until every record that arrived before it is stored (none queued before it, no batch in
   * flight): closing a NAS's sessions must not overtake the Start of one of them.
   */
  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    const sessions = new Set<string>();
    const rest: Pending[] = [];
    for (let i = 0; i < this.queue.length; i++) {
      const p = this.queue[i]!;
      if (!("sessionKey" in p.record)) {
        // An Accounting-On/Off: it and everything after it wait while anything before it is unstored.
        if (rest.length > 0 || this.inFlight > 0 || batch.length >= this.opts.maxBatch) {
          rest.push(...this.queue.slice(i));
          break;
        }
        batch.push(p);
      } else if (batch.length >= this.opts.maxBatch || sessions.has(p.record.sessionKey)) {
        rest.push(p);
      } else {
        batch.push(p);
        sessions.add(p.record.sessionKey);
      }
    }
    this.queue = rest;
    return batch;
  }

  /** Makes one batch durable; whatever queued meanwhile forms the next batch (group commit). */
  private async flush(batch: Pending[]): Promise<void> {
    this.inFlight += 1;
    try {
      const refused = await this.persist(batch.map((p) => p.record));
      for (const p of batch) {
        if (refused.has(p.record)) p.reject(new RecordRefusedError("refused by the database"));
        else p.resolve();
      }
    } catch (err) {
      for (const p of batch) p.reject(err as Error);
    } finally {
      this.inFlight -= 1;
      this.schedule();
    }
  }

  /** Returns the records the database refused (not durable, not to be answered). */
  private async persist(records: AccountingRecord[]): Promise<Set<AccountingRecord>> {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    const refused = new Set<AccountingRecord>();
    if (this.mode === "database") {
      try {
        await this.write(records, this.opts.writeTimeoutMs, (record, err) => {
          refused.add(record);
          this.opts.onRefused?.(record, err, false);
        });
        this.opts.onBatch?.(records.length - refused.size, "database", seconds());
        return refused;
      } catch (err) {
        this.setMode("spool");
        this.opts.log("database write failed: spooling until it is back", { error: (err as Error).message });
      }
    }
    const rest = records.filter((r) => !refused.has(r));
    await this.opts.spool.append(rest);
    this.opts.onBatch?.(rest.length, "spool", seconds());
    return refused;
  }

  /**
   * Writes a batch. When the database refuses it, one bad record must not hold back the others (nor,
   * from the spool, everything after it): the records are written one by one and the refused ones reported.
   * Any other failure (unreachable, too slow) is thrown.
   */
  private async write(
    records: AccountingRecord[],
    timeoutMs: number,
    refuse: (record: AccountingRecord, err: Error) => void,
  ): Promise<void> {
    try {
      await withTimeout(this.opts.writeToDatabase(records), timeoutMs);
    } catch (err) {
      if (!this.opts.isRefused(err)) throw err;
      if (records.length === 1) return refuse(records[0]!, err as Error);
      for (const record of records) await this.write([record], timeoutMs, refuse);
    }
  }

  private setMode(mode: "database" | "spool"): void {
    if (this.mode === mode) return;
    this.mode = mode;
    this.opts.onModeChange?.(mode);
  }

  /** Drains the spool into the database in order; switches back once nothing is left. */
  async replay(): Promise<void> {
    if (this.mode !== "spool" || this.replaying) return;
    this.replaying = true;
    try {
      if (!(await this.opts.databaseReachable())) return;
      await this.opts.spool.drain(
        async (records) => {
          const refused: AccountingRecord[] = [];
          await this.write(records, this.opts.writeTimeoutMs * 5, (record, err) => {
            refused.push(record);
            this.opts.onRefused?.(record, err, true);
          });
          // Answered while spooled: kept, never dropped.
          if (refused.length) await this.opts.spool.setAside(refused);
        },
        (file) => this.opts.log("skipped a torn spool tail (never acknowledged)", { file }),
      );
      // Single-threaded: no append can slip in between this check and the switch.
      if (this.opts.spool.isEmpty) {
        this.setMode("database");
        this.opts.log("spool drained: writing to the database again");
      }
    } catch (err) {
      this.opts.log("spool replay paused", { error: (err as Error).message });
    } finally {
      this.replaying = false;
    }
  }

  /** Flushes what is queued (used on SIGTERM). */
  async close(): Promise<void> {
    clearInterval(this.replayTimer);
    this.kick();
    while (this.inFlight || this.queue.length) await new Promise((r) => setTimeout(r, 5));
    await this.opts.spool.close();
  }
}
