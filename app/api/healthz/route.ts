import { NextResponse } from "next/server";
import { db } from "@/lib/db/prisma";
import { isDatabaseUnavailable } from "@/lib/db/unavailable";
import { log } from "@/lib/log";

// Public on purpose, for load balancers and monitoring (and the portal's error page): it says
// only whether the portal can reach its database.
export async function GET() {
  try {
    await db().$queryRaw`SELECT 1`;
    return NextResponse.json({ ok: true, database: "reachable" }, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    if (!isDatabaseUnavailable(err)) log.error({ err }, "health check failed");
    return NextResponse.json(
      { ok: false, database: "unreachable" },
      { status: 503, headers: { "cache-control": "no-store", "retry-after": "5" } },
    );
  }
}
