import { z } from "zod";

export const ROLES = ["admin", "analyst", "viewer"] as const;
export type Role = (typeof ROLES)[number];
export const RoleSchema = z.enum(ROLES, { error: "Role must be admin, analyst or viewer." });
