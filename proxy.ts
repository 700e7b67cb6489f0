import { NextResponse, type NextRequest } from "next/server";
import { apiError } from "@/lib/api/error-body";
import { cameOverHttps } from "@/lib/auth/client-address";

// Optimistic check only: send visitors without a session cookie to sign-in.
// Authorization itself happens on the server at every page and route (lib/auth).
const SESSION_COOKIES = ["next-auth.session-token", "__Secure-next-auth.session-token"];
const NO_SIGN_IN_NEEDED = /^\/(api\/|signin|forbidden|_next\/|favicon\.ico$|icon\.svg$)/;

/** Whether every percent-escape in the path decodes (e.g. "%FF" alone is not UTF-8). */
function wellEncoded(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

/**
 * A strict Content-Security-Policy with a fresh nonce per request (Next.js puts it on its own scripts, which is why
 * every page renders dynamically: app/layout.tsx). 'unsafe-eval' only in development, where React needs it.
 */
function contentSecurityPolicy(nonce: string): string {
  const dev = process.env.NODE_ENV !== "production" ? " 'unsafe-eval'" : "";
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The security headers of every response; HSTS only when the request came over HTTPS (a trusted TLS-terminating proxy). */
function withSecurityHeaders(response: NextResponse, request: NextRequest, csp: string): NextResponse {
  response.headers.set("Content-Security-Policy", csp);
  if (cameOverHttps(request.headers)) response.headers.set("Strict-Transport-Security", "max-age=31536000");
  return response;
}

export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = contentSecurityPolicy(nonce);
  const { pathname } = request.nextUrl;
  // Next.js would fail decoding such a path's segments with a bare 500: it is the address that is wrong.
  if (!wellEncoded(pathname)) {
    const message = "The address is not valid URL encoding.";
    return pathname.startsWith("/api/")
      ? apiError(400, "validation", message)
      : new NextResponse(`Bad request: ${message}`, {
          status: 400,
          headers: { "content-type": "text/plain; charset=utf-8" },
        });
  }
  if (NO_SIGN_IN_NEEDED.test(pathname) || SESSION_COOKIES.some((name) => request.cookies.has(name))) {
    const requestHeaders = new Headers(request.headers);
    requestHeaders.set("x-nonce", nonce);
    requestHeaders.set("Content-Security-Policy", csp);
    return withSecurityHeaders(NextResponse.next({ request: { headers: requestHeaders } }), request, csp);
  }
  const url = request.nextUrl.clone();
  url.pathname = "/signin";
  url.search = "";
  return withSecurityHeaders(NextResponse.redirect(url), request, csp);
}

export const config = {
  matcher: ["/((?!_next/static|_next/image).*)"],
};
