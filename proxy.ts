import { NextResponse, type NextRequest } from "next/server";

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

export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  // Next.js would fail decoding such a path's segments with a bare 500: it is the address that is wrong.
  if (!wellEncoded(pathname)) {
    const message = "The address is not valid URL encoding.";
    return pathname.startsWith("/api/")
      ? NextResponse.json({ error: { code: "validation", message } }, { status: 400 })
      : new NextResponse(`Bad request: ${message}`, { status: 400, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
  if (NO_SIGN_IN_NEEDED.test(pathname) || SESSION_COOKIES.some((name) => request.cookies.has(name))) return NextResponse.next();
  const url = request.nextUrl.clone();
  url.pathname = "/signin";
  url.search = "";
  return NextResponse.redirect(url);
}

export const config = {
  matcher: ["/((?!_next/static|_next/image).*)"],
};
