import { apiRoute } from "@/lib/api/door";
import { db } from "@/lib/db/prisma";
import { parseInput } from "@/lib/errors";
import { VpnSessionQuerySchema, listVpnSessions } from "@/lib/vpn-sessions";

export const GET = apiRoute("sessions.read", async ({ req }) =>
  listVpnSessions(db(), parseInput(VpnSessionQuerySchema, Object.fromEntries(new URL(req.url).searchParams))),
);
