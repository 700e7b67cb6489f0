import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { authOptionsFor } from "@/lib/auth/next-auth-options";

type Context = { params: Promise<{ nextauth: string[] }> };

// Options per request: whether cookies are Secure depends on how this request arrived (lib/auth/client-address.ts).
async function handler(req: NextRequest, ctx: Context) {
  return NextAuth(req as never, ctx as never, authOptionsFor(req.headers));
}
export { handler as GET, handler as POST };
