import { expect, type Page } from "@playwright/test";

export async function signIn(page: Page, user: { email: string; password: string }) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toHaveText(user.email);
}

/** A same-origin fetch from inside the signed-in page: what a forged request from that user looks like. */
export function fetchFromPage(page: Page, method: string, url: string, body?: unknown) {
  return page.evaluate(
    async ({ method, url, body }) => {
      const res = await fetch(url, {
        method,
        headers: body === undefined ? undefined : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: await res.json().catch(() => null) };
    },
    { method, url, body },
  );
}

/**
 * Signs in through next-auth's credentials endpoint from a given local address (another client machine, as the
 * portal sees it: 127.0.0.2 is a different socket peer from the browser's 127.0.0.1), optionally claiming a
 * forwarded address. Returns the error next-auth reports, or null when signed in.
 */
export async function signInFrom(
  baseURL: string,
  localAddress: string,
  user: { email: string; password: string },
  forwardedFor?: string,
): Promise<string | null> {
  return (await signInWithHeaders(baseURL, localAddress, user, forwardedFor ? { "x-forwarded-for": forwardedFor } : {}))
    .error;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** name=value of each Set-Cookie, and the headers whole. */
  cookies: string[];
  setCookies: string[];
  text: string;
}

/** One HTTP request to the portal from a given local address (a socket peer of the test's choosing). */
export async function requestFrom(
  baseURL: string,
  localAddress: string,
  method: string,
  path: string,
  headers: Record<string, string | number>,
  body?: string,
): Promise<RawResponse> {
  const http = await import("node:http");
  const url = new URL(baseURL);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname === "localhost" ? "127.0.0.1" : url.hostname,
        port: url.port,
        path,
        method,
        localAddress,
        headers,
      },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          const setCookies = res.headers["set-cookie"] ?? [];
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            cookies: setCookies.map((c) => c.split(";")[0]!),
            setCookies,
            text,
          });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** The same sign-in with extra request headers; also returns the sign-in response's Set-Cookie headers whole. */
export async function signInWithHeaders(
  baseURL: string,
  localAddress: string,
  user: { email: string; password: string },
  extraHeaders: Record<string, string>,
): Promise<{ error: string | null; setCookies: string[] }> {
  const csrf = await requestFrom(baseURL, localAddress, "GET", "/api/auth/csrf", extraHeaders);
  const { csrfToken } = JSON.parse(csrf.text) as { csrfToken: string };
  const form = new URLSearchParams({ csrfToken, email: user.email, password: user.password, json: "true" }).toString();
  const signedIn = await requestFrom(
    baseURL,
    localAddress,
    "POST",
    "/api/auth/callback/credentials",
    {
      ...extraHeaders,
      cookie: csrf.cookies.join("; "),
      "content-type": "application/x-www-form-urlencoded",
      "content-length": Buffer.byteLength(form),
    },
    form,
  );
  if (signedIn.cookies.some((c) => c.includes("session-token=")))
    return { error: null, setCookies: signedIn.setCookies };
  const target = (JSON.parse(signedIn.text || "{}") as { url?: string }).url ?? "";
  return {
    error: new URL(target, baseURL).searchParams.get("error") ?? `HTTP ${signedIn.status}`,
    setCookies: signedIn.setCookies,
  };
}

/** Runs SQL on the product's embedded database (for what no interface can do, e.g. letting time pass). */
export async function productSql(dataDir: string, sql: string, params: unknown[] = []): Promise<void> {
  const fs = await import("node:fs");
  const path = await import("node:path");
  const { default: pg } = await import("pg");
  const password = fs.readFileSync(path.join(dataDir, "postgres.password"), "utf8").trim();
  const port = fs.readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[3];
  const client = new pg.Client({ connectionString: `postgresql://postgres:${password}@127.0.0.1:${port}/vpnsight` });
  await client.connect();
  try {
    await client.query(sql, params);
  } finally {
    await client.end();
  }
}
