import type { Db } from "../db/prisma.ts";
import { randomAlphanumeric } from "../random.ts";
import { createUser, CreateUserSchema } from "./users.ts";
import { parseInput } from "../errors.ts";

/**
 * On first start (no users): ADMIN_EMAIL + ADMIN_PASSWORD when set, else
 * admin@localhost with a random password that the caller prints once.
 */
export async function ensureFirstAdmin(
  db: Db,
  env: { ADMIN_EMAIL?: string; ADMIN_PASSWORD?: string },
): Promise<{ email: string; password: string; generated: boolean } | null> {
  if ((await db.user.count()) > 0) return null;
  const email = env.ADMIN_EMAIL ?? "admin@localhost";
  const password = env.ADMIN_PASSWORD ?? randomAlphanumeric(20);
  await createUser(db, parseInput(CreateUserSchema, { email, role: "admin", password }), { label: "system" });
  return { email, password, generated: !env.ADMIN_PASSWORD };
}
