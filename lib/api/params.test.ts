import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { identityPageParam, identityParam, isoDateTime } from "./params.ts";

const notFound = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err instanceof AppError && err.code === "not_found";
  }
  return false;
};

describe("identity segments", () => {
  it("an API route's segment (decoded by Next.js) is not decoded again; a page's (still encoded) is decoded once", () => {
    expect(identityParam({ identity: "PCT%41@contoso.com" })).toBe("pct%41@contoso.com");
    expect(identityParam({ identity: "%" })).toBe("%");
    expect(identityPageParam({ identity: "pct%2541%40contoso.com" })).toBe("pct%41@contoso.com");
    expect(identityPageParam({ identity: "contoso%5Calice" })).toBe("contoso\\alice");
  });

  it("names no identity when empty, too long, holding U+0000 or badly encoded", () => {
    expect(notFound(() => identityParam({ identity: "" }))).toBe(true);
    expect(notFound(() => identityParam({ identity: "x".repeat(321) }))).toBe(true);
    expect(notFound(() => identityParam({ identity: "a\0b" }))).toBe(true);
    expect(notFound(() => identityPageParam({ identity: "%FF" }))).toBe(true);
    expect(notFound(() => identityPageParam({ identity: "a%00b" }))).toBe(true);
  });
});

describe("date-time filters", () => {
  it("take ISO 8601 with an offset from the year 0001 on (PostgreSQL has no year 0)", () => {
    expect(isoDateTime("since").parse("2026-11-25T10:00:00+01:00")).toBe("2026-11-25T10:00:00+01:00");
    expect(isoDateTime("until").safeParse("0000-01-01T00:00:00Z").error?.issues[0]?.message).toBe(
      "until must be a date-time from the year 0001 on.",
    );
    expect(isoDateTime("since").safeParse("yesterday").error?.issues[0]?.message).toBe(
      "since must be an ISO 8601 date-time.",
    );
  });
});
