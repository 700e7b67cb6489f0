import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Returns the content of a small secret file in the data dir, creating it with
 * `create()` (mode 0600) the first time. Used for generated keys and passwords.
 */
export function readOrCreateSecretFile(dataDir: string, name: string, create: () => string): string {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, name);
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
  const value = create();
  // "wx" fails if another process created it meanwhile; then read theirs.
  try {
    fs.writeFileSync(file, value + "\n", { mode: 0o600, flag: "wx" });
    return value;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return fs.readFileSync(file, "utf8").trim();
  }
}

export const randomBase64 = (bytes: number) => randomBytes(bytes).toString("base64");
