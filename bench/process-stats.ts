import fs from "node:fs";

const TICKS_PER_SECOND = 100; // Linux USER_HZ

/**
 * utime + stime of a process and (unless `own`) its children, in seconds (from /proc): the live ones, and those that
 * exited and were reaped (cutime + cstime), so a PostgreSQL backend that ends mid-measurement keeps its share.
 */
export function cpuSeconds(pid: number, own = false): number {
  if (own) return processCpu(pid).own;
  const { own: self, reaped } = processCpu(pid);
  return childPids(pid).reduce((sum, child) => sum + processCpu(child).own, self + reaped);
}

/** A process's own CPU seconds (utime + stime) and its reaped children's (cutime + cstime); 0 once it has exited. */
function processCpu(pid: number): { own: number; reaped: number } {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return {
      own: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
      reaped: (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND,
    };
  } catch {
    return { own: 0, reaped: 0 }; // exited meanwhile
  }
}

export function childPids(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function statusKb(pid: number, field: string): number {
  try {
    const line = fs
      .readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${field}:`));
    return Number(line?.replace(/\D+/g, "") ?? 0);
  } catch {
    return 0; // exited meanwhile
  }
}

/** Peak resident set size (VmHWM) in MB. */
export const peakRssMb = (pid: number): number => statusKb(pid, "VmHWM") / 1024;

/**
 * Memory a group of processes takes together, in MB, as a container's memory limit counts it:
 * each one's private (anonymous) pages, plus the file-backed pages — mostly the shared node
 * binary, mapped by each of them — once. Adding the processes' RSS would count those twice.
 */
export function groupMemoryMb(pids: number[]): number {
  const anon = pids.reduce((kb, p) => kb + statusKb(p, "RssAnon") + statusKb(p, "RssShmem"), 0);
  const file = Math.max(0, ...pids.map((p) => statusKb(p, "RssFile")));
  return (anon + file) / 1024;
}

/** Samples groupMemoryMb of a process and its children every 200 ms until stopped; returns the peak. */
export function trackGroupMemory(pid: number): { stop(): number } {
  let peak = 0;
  const sample = () => (peak = Math.max(peak, groupMemoryMb([pid, ...childPids(pid)])));
  sample();
  const timer = setInterval(sample, 200);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

/** A PostgreSQL server's CPU seconds at one moment: each live process's, by pid with its kind, and reaped ones'. */
export interface PostgresCpu {
  processes: Map<number, { kind: string; cpu: number }>;
  /** The postmaster's own CPU and what its exited (reaped) children used. */
  postmaster: number;
  reaped: number;
}

/**
 * The server's processes and their CPU; a process's kind comes from its title ("postgres: autovacuum worker"), a
 * backend's from its client's application_name when `names` has its pid (from pg_stat_activity), else "other
 * backends".
 */
export function postgresCpu(postmaster: number, names = new Map<number, string>()): PostgresCpu {
  const { own, reaped } = processCpu(postmaster);
  const processes = new Map<number, { kind: string; cpu: number }>();
  for (const p of childPids(postmaster)) {
    try {
      const title = fs.readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      const kind =
        /^postgres: (autovacuum \w+|walwriter|checkpointer|background writer|logical replication launcher)/.exec(
          title,
        )?.[1] ??
        names.get(p) ??
        "other backends";
      processes.set(p, { kind, cpu: processCpu(p).own });
    } catch {
      // exited meanwhile
    }
  }
  return { processes, postmaster: own, reaped };
}

/**
 * CPU seconds by kind between two snapshots. A process that exited in between (a pooled connection closed when idle
 * or old) leaves only its whole life's CPU in `reaped`: what it used in between is that, less what it had used
 * before. That goes to its kind when every process that exited was of one kind, else to "exited (several kinds)".
 */
export function postgresCpuByKind(before: PostgresCpu, after: PostgresCpu): Map<string, number> {
  const byKind = new Map<string, number>([["postmaster", after.postmaster - before.postmaster]]);
  const add = (kind: string, s: number) => byKind.set(kind, (byKind.get(kind) ?? 0) + s);
  for (const [pid, p] of after.processes) add(p.kind, p.cpu - (before.processes.get(pid)?.cpu ?? 0));
  const gone = [...before.processes].filter(([pid]) => !after.processes.has(pid)).map(([, p]) => p);
  const kinds = new Set(gone.map((p) => p.kind));
  const usedByGone = after.reaped - before.reaped - gone.reduce((sum, p) => sum + p.cpu, 0);
  add(kinds.size === 1 ? [...kinds][0]! : kinds.size ? "exited (several kinds)" : "exited", usedByGone);
  return byKind;
}
