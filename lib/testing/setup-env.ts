import { randomBytes } from "node:crypto";

// Every test process seals secrets with its own throwaway key.
process.env.VPNSIGHT_SECRET_KEY ??= randomBytes(32).toString("base64");
