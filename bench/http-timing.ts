// The portal benchmarks' common part: start the built portal on a database, sign in, time pages over HTTP.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";

export interface PageTimes {
  p50: number;
  p95: number;
  max: number;
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** `next start` of the built portal on `databaseUrl`; resolves once it answers. */
export async function startPortal(databaseUrl: string, port: number, env: Record<string, string> = {}) {
  if (!fs.existsSync(".next/BUILD_ID")) throw new Error("Build the portal first: npm run build");
  // A portal left on this port (say by a killed run) would answer instead of ours: refuse to measure it.
  if (
    await fetch(`http://localhost:${port}/`).then(
      () => true,
      () => false,
    )
  )
    throw new Error(`port ${port} is already in use`);
  const child: ChildProcess = spawn(
    process.execPath,
    ["node_modules/next/dist/bin/next", "start", "-p", String(port)],
    {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        NEXTAUTH_SECRET: randomBytes(32).toString("base64"),
        NEXTAUTH_URL: `http://localhost:${port}`,
        NEXT_TELEMETRY_DISABLED: "1",
        ...env,
      },
      stdio: "ignore",
    },
  );
  const base = `http://localhost:${port}`;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/api/v1/openapi.json`)).ok) break;
      } catch {
        if (i > 300) throw new Error("portal did not start");
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    child.kill("SIGTERM");
    throw err;
  }
  return { base, stop: () => child.kill("SIGTERM") };
}

/** Signs in with the credentials form; returns the Cookie header of the signed-in session. */
export async function signIn(base: string, user: { email: string; password: string }): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookies = csrf.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookies },
    body: new URLSearchParams({ csrfToken, email: user.email, password: user.password, json: "true" }),
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith("next-auth.session-token="));
  if (!session) throw new Error(`sign-in failed (${res.status})`);
  return `${cookies}; ${session.split(";")[0]}`;
}

/** `requests` sequential requests (after 10 to warm up) of the paths `paths()` gives; server time as seen by a client. */
export async function timePage(
  base: string,
  cookie: string,
  paths: () => string,
  requests: number,
): Promise<PageTimes> {
  const samples: number[] = [];
  for (let i = 0; i < requests + 10; i++) {
    const started = performance.now();
    const res = await fetch(`${base}${paths()}`, { headers: { cookie } });
    await res.text();
    if (res.status !== 200) throw new Error(`${res.status} for ${res.url}`);
    if (i >= 10) samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p95: percentile(samples, 95), max: samples.at(-1)! };
}
