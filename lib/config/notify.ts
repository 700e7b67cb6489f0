import type { Prisma } from "../generated/prisma/client.ts";

/** Postgres channel the sensor LISTENs on for settings, secrets and RADIUS client changes. */
export const CONFIG_CHANNEL = "vpnsight_config";

/** Inside a transaction, NOTIFY is delivered at commit, so listeners never see uncommitted config. */
export async function notifyConfigChanged(tx: Prisma.TransactionClient, what: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${CONFIG_CHANNEL}, ${what})`;
}
