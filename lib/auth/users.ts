import { z } from "zod";
import type { Db } from "../db/prisma.ts";
import { recordAudit, diffFields, type Actor } from "../audit/record.ts";
import { INVALID_CREDENTIALS, MAX_EMAIL_LENGTH, verifyCredentials } from "./authenticate.ts";
import { hashPassword, PasswordSchema } from "./password.ts";
import { RoleSchema, type Role } from "./roles.ts";
import { AppError, conflict, notFound, parseInput, validationError } from "../errors.ts";

export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(MAX_EMAIL_LENGTH)
  .regex(/^[^\s@]+@[^\s@]+$/, "Enter an email address such as alice@example.com.");

export const CreateUserSchema = z
  .object({
    email: EmailSchema,
    name: z.string().trim().max(100).optional(),
    role: RoleSchema,
    password: PasswordSchema,
  })
  .strict();
export const UpdateUserSchema = z
  .object({
    role: RoleSchema.optional(),
    disabled: z.boolean().optional(),
    name: z.string().trim().max(100).optional(),
    password: PasswordSchema.optional(),
  })
  .strict();

/** A new password's columns: set any way (user, admin, CLI), it ends the sessions signed in before it. */
async function newPassword(password: string) {
  return { passwordHash: await hashPassword(password), passwordChangedAt: new Date() };
}

export interface UserView {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  disabled: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
}

const userView = {
  id: true,
  email: true,
  name: true,
  role: true,
  disabled: true,
  createdAt: true,
  lastLoginAt: true,
} as const;

export const listUsers = (db: Db): Promise<UserView[]> =>
  db.user.findMany({ select: userView, orderBy: { email: "asc" } });

export async function createUser(db: Db, data: z.output<typeof CreateUserSchema>, actor: Actor): Promise<UserView> {
  const passwordHash = await hashPassword(data.password);
  return db.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email: data.email } })) {
      throw conflict(`A user with the email ${data.email} already exists.`);
    }
    const user = await tx.user.create({
      data: { email: data.email, name: data.name || null, role: data.role, passwordHash },
      select: userView,
    });
    await recordAudit(tx, actor, {
      action: "user.create",
      target: `user:${user.email}`,
      changes: { role: { to: user.role } },
    });
    return user;
  });
}

/**
 * Changes role / disabled / name / password. The last active admin can be neither demoted
 * nor disabled; admins are locked while checking so two requests cannot race past it.
 */
export async function updateUser(
  db: Db,
  id: string,
  input: z.output<typeof UpdateUserSchema>,
  actor: Actor,
): Promise<UserView> {
  const { password, ...patch } = input;
  const passwordColumns = password === undefined ? {} : await newPassword(password);
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "User" WHERE role = 'admin' FOR UPDATE`;
    const before = await tx.user.findUnique({ where: { id }, select: userView });
    if (!before) throw notFound("No such user.");
    const losesAdmin =
      before.role === "admin" &&
      !before.disabled &&
      ((patch.role && patch.role !== "admin") || patch.disabled === true);
    if (losesAdmin) {
      const activeAdmins = await tx.user.count({ where: { role: "admin", disabled: false } });
      if (activeAdmins <= 1) {
        throw validationError("This is the last active admin: make another user admin first.");
      }
    }
    const changes = {
      ...diffFields(before, patch, ["role", "disabled", "name"]),
      ...(password === undefined ? {} : { password: "changed" }),
    };
    const user = await tx.user.update({ where: { id }, data: { ...patch, ...passwordColumns }, select: userView });
    if (Object.keys(changes).length) {
      await recordAudit(tx, actor, { action: "user.update", target: `user:${user.email}`, changes });
    }
    return user;
  });
}

export async function resetPassword(db: Db, email: string, password: string, actor: Actor): Promise<void> {
  const address = parseInput(EmailSchema, email);
  const columns = await newPassword(parseInput(PasswordSchema, password));
  await db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { email: address } });
    if (!user) throw notFound(`No user with the email ${address}.`);
    await tx.user.update({ where: { id: user.id }, data: columns });
    await recordAudit(tx, actor, {
      action: "user.reset-password",
      target: `user:${address}`,
      changes: { password: "changed" },
    });
  });
}

export const ChangePasswordSchema = z
  .object({ currentPassword: z.string().max(256), newPassword: PasswordSchema })
  .strict()
  .refine((v) => v.newPassword !== v.currentPassword, {
    path: ["newPassword"],
    message: "The new password must differ from the current one.",
  });

/**
 * A signed-in user changes their own password. The current one is checked like a sign-in
 * (wrong guesses count towards the account's and the client's throttle); every session signed
 * in before, including the caller's, ends.
 */
export async function changeOwnPassword(
  db: Db,
  userId: string,
  data: z.output<typeof ChangePasswordSchema>,
  actor: Actor,
): Promise<void> {
  const user = await db.user.findUnique({ where: { id: userId } });
  if (!user) throw notFound("No such user.");
  try {
    await verifyCredentials(db, user.email, data.currentPassword, actor.sourceIp ?? null);
  } catch (err) {
    if (err instanceof AppError && err.message === INVALID_CREDENTIALS)
      throw validationError("The current password is not correct.");
    throw err;
  }
  const columns = await newPassword(data.newPassword);
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: columns });
    await recordAudit(tx, actor, {
      action: "user.change-password",
      target: `user:${user.email}`,
      changes: { password: "changed" },
    });
  });
}
