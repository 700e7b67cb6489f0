import fs from "node:fs";

const TICKS_PER_SECOND = 100; // Linux USER_HZ

/**
 * utime + stime of a process and (unless `own`) its children, in seconds (from /proc): the live ones, and those that
 * exited and were reaped (cutime + cstime), so a PostgreSQL backend that ends mid-measurement keeps its share.
 */
export function cpuSeconds(pid: number, own = false): number {
  const pids = own ? [pid] : [pid, ...childPids(pid)];
  let ticks = 0;
  for (const p of pids) {
    try {
      const fields = fs.readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]!.split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
      if (!own && p === pid) ticks += Number(fields[13]) + Number(fields[14]);
    } catch {
      // exited meanwhile
    }
  }
  return ticks / TICKS_PER_SECOND;
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

/**
 * CPU seconds of a PostgreSQL server's processes by kind, from their titles ("postgres: autovacuum worker"); a
 * backend by its client's application_name when `names` has its pid (from pg_stat_activity), else "other backends";
 * "exited" is what reaped children used.
 */
export function postgresCpuByKind(postmaster: number, names = new Map<number, string>()): Map<string, number> {
  const byKind = new Map<string, number>();
  const add = (kind: string, s: number) => byKind.set(kind, (byKind.get(kind) ?? 0) + s);
  try {
    const own = fs.readFileSync(`/proc/${postmaster}/stat`, "utf8").split(") ")[1]!.split(" ");
    add("postmaster", (Number(own[11]) + Number(own[12])) / TICKS_PER_SECOND);
    add("exited", (Number(own[13]) + Number(own[14])) / TICKS_PER_SECOND);
  } catch {
    return byKind;
  }
  for (const p of childPids(postmaster)) {
    try {
      const title = fs.readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      const kind =
        /^postgres: (autovacuum \w+|walwriter|checkpointer|background writer|logical replication launcher)/.exec(
          title,
        )?.[1] ??
        names.get(p) ??
        "other backends";
      add(kind, cpuSeconds(p, true));
    } catch {
      // exited meanwhile
    }
  }
  return byKind;
}
