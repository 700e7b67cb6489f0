// Every route of the OpenAPI document with hostile path segments, query strings and bodies, as admin, a viewer and
// nobody: answers are 2xx/3xx/4xx, never a server error. Bodies are never valid (unknown keys, wrong types), so nothing
// is changed for the specs that follow.
import { expect, test } from "@playwright/test";
import { seededRandom } from "../lib/random";
import { readState } from "./product";

const ODD = [
  "",
  " ",
  "%",
  "%FF",
  "..",
  "../..",
  "a/b",
  "\u0000",
  "💥",
  "'; DROP TABLE x;--",
  "<script>",
  "0",
  "-1",
  "1e309",
  "9".repeat(40),
  "x".repeat(3000),
  "null",
  "[]",
  "{}",
  "00000000-0000-0000-0000-000000000000",
  "admin@localhost",
  "::1",
  "10.0.0.0/33",
];

test("the API answers every hostile request without a server error", async ({ request }) => {
  test.setTimeout(180_000);
  const { adminToken, viewerToken } = readState();
  const doc = await (await request.get("/api/v1/openapi.json")).json();
  const random = seededRandom(0xf022);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const oddValue = (): unknown =>
    pick<() => unknown>([
      () => pick(ODD),
      () => Math.floor(random() * 1e6) - 5e5,
      () => random() < 0.5,
      () => null,
      () => [pick(ODD)],
      () => ({ [pick(ODD)]: pick(ODD) }),
    ])();
  const failures: string[] = [];
  let sent = 0;
  for (const [template, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const method of Object.keys(ops)) {
      for (let i = 0; i < 12; i++) {
        const path = template.replace(/\{[^}]+\}/g, () =>
          encodeURIComponent(String(pick(ODD))).replace(/%25/g, pick(["%25", "%"])),
        );
        const query = Array.from(
          { length: Math.floor(random() * 3) },
          () =>
            `${pick(["q", "limit", "cursor", "since", "days", "identity", "status", "sort", "dir", "format", pick(ODD)])}=${encodeURIComponent(String(oddValue()))}`,
        ).join("&");
        const url = `${path}${query ? `?${query}` : ""}`;
        const auth = pick([adminToken, adminToken, viewerToken, null]);
        // Unknown keys make every strict schema refuse the body: nothing is ever created or changed.
        const body =
          method === "get" || method === "delete"
            ? undefined
            : pick([{ [`fuzz-${i}`]: oddValue() }, oddValue(), "not json {"]);
        const res = await request.fetch(url, {
          method: method.toUpperCase(),
          headers: {
            ...(auth ? { authorization: `Bearer ${auth}` } : {}),
            ...(body === undefined ? {} : { "content-type": "application/json" }),
          },
          ...(body === undefined ? {} : { data: typeof body === "string" ? body : JSON.stringify(body) }),
          failOnStatusCode: false,
          maxRedirects: 0,
        });
        sent += 1;
        if (res.status() >= 500)
          failures.push(
            `${method.toUpperCase()} ${url.slice(0, 120)} → ${res.status()} ${(await res.text()).slice(0, 200)}`,
          );
      }
    }
  }
  expect(sent).toBeGreaterThan(400);
  expect(failures).toEqual([]);
});
