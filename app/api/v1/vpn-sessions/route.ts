import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { db } from "@/lib/db/prisma";
import { listVpnSessions } from "@/lib/sessions/session-list.ts";

export const GET = apiRoute(op.listVpnSessions, async ({ query }) => listVpnSessions(db(), query));
