import { apiRoute } from "@/lib/api/door";
import { OPERATIONS as op } from "@/lib/api/operations";
import { dbRead } from "@/lib/db/prisma";
import { listVpnSessions, vpnSessionsCsv } from "@/lib/sessions/session-list.ts";

export const GET = apiRoute(op.listVpnSessions, async ({ query }) => {
  if (query.format !== "csv") return listVpnSessions(dbRead(), query);
  // The filters are checked before the first byte: a bad ASN is a 400, not a broken file.
  await listVpnSessions(dbRead(), { ...query, limit: 1 });
  return new Response(vpnSessionsCsv(dbRead(), query), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": 'attachment; filename="vpn-sessions.csv"',
    },
  });
});
