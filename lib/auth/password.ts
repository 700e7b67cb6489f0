import { hash, verify } from "@node-rs/argon2";
import { z } from "zod";

export const PasswordSchema = z
  .string()
  .min(12, "A password needs at least 12 characters.")
  .max(256, "A password has at most 256 characters.");

// @node-rs/argon2 defaults to Argon2id; parameters per OWASP (19 MiB, t=2).
export const hashPassword = (password: string) => hash(password, { memoryCost: 19456, timeCost: 2, parallelism: 1 });

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Verified against when the account does not exist, so timing does not reveal which emails exist.
let dummyHash: Promise<string> | undefined;
export const dummyPasswordHash = () => (dummyHash ??= hashPassword("not-a-real-password-0000"));
