// The filesystem a directory lives on, as the benchmarks print it: dropping a partition frees its files at once, and
// on a filesystem mounted with online `discard` that freeing waits for the device (bench/README.md).
import fs from "node:fs";
import path from "node:path";

/** E.g. "ext4 on /dev/vda, mounted with online discard", from /proc/self/mountinfo (Linux); "unknown" elsewhere. */
export function filesystemOf(dir: string): string {
  let mounts: string;
  try {
    mounts = fs.readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return "unknown";
  }
  const target = fs.realpathSync(path.resolve(dir));
  let best: { point: string; text: string } | undefined;
  for (const line of mounts.split("\n")) {
    // Fields: id parent dev root point options [optional…] - type source super-options
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const [, , , , point = "", mountOptions = ""] = left.split(" ");
    const [type, source, superOptions = ""] = right.split(" ");
    const options = `${mountOptions},${superOptions}`.split(",");
    const inside = target === point || target.startsWith(point === "/" ? "/" : `${point}/`);
    if (!inside || (best && best.point.length >= point.length)) continue;
    best = {
      point,
      text: `${type} on ${source}, ${options.includes("discard") ? "mounted with online discard" : "no online discard"}`,
    };
  }
  return best?.text ?? "unknown";
}
