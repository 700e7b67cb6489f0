import { describe, expect, it } from "vitest";
import {
  distanceKm,
  evaluateSession,
  forAccount,
  judgeAccount,
  learningState,
  networkOf,
  type AccountForJudging,
  type SessionFacts,
} from "./detections.ts";

const DAY = 86_400_000;
const T = new Date("2026-11-24T12:00:00Z");
const PARIS = { countryCode: "FR", country: "France", city: "Paris", latitude: 48.86, longitude: 2.35 };
const VERSAILLES = { countryCode: "FR", country: "France", city: "Versailles", latitude: 48.8, longitude: 2.13 };
const LONDON = { countryCode: "GB", country: "United Kingdom", city: "London", latitude: 51.51, longitude: -0.13 };
const TOKYO = { countryCode: "JP", country: "Japan", city: "Tokyo", latitude: 35.68, longitude: 139.69 };
const BRUSSELS = { countryCode: "BE", country: "Belgium", city: "Brussels", latitude: 50.85, longitude: 4.35 };

let n = 0;
function s(at: Date, where: Partial<SessionFacts> | "private" | "unknown", hours = 1, open = false): SessionFacts {
  n += 1;
  const kind = where === "private" ? "private" : where === "unknown" ? null : "geo";
  const loc = typeof where === "object" ? where : {};
  return {
    sessionKey: `s${n}`,
    startedAt: at,
    endedAt: open ? null : new Date(at.getTime() + hours * 3600_000),
    lastUpdateAt: new Date(at.getTime() + hours * 3600_000),
    publicIp: `81.2.69.${n}`,
    locationKind: kind,
    countryCode: null,
    country: null,
    city: null,
    latitude: null,
    longitude: null,
    clientName: null,
    asn: null,
    asOrganization: null,
    hosting: null,
    ...loc,
  };
}
/** 10 sessions in Paris over the 30 days before T; first seen 40 days before. */
const parisHistory = () => [
  s(new Date(T.getTime() - 40 * DAY), PARIS),
  ...Array.from({ length: 10 }, (_, i) => s(new Date(T.getTime() - (25 - 2 * i) * DAY), PARIS)),
];
const first = new Date(T.getTime() - 40 * DAY);
const rules = (r: ReturnType<typeof evaluateSession>) => r.findings.map((f) => f.rule).sort();

describe("learning", () => {
  it("learns until the first session is 30 days old and there are 5 sessions in the window", () => {
    expect(learningState(new Date(T.getTime() - 29 * DAY), 50, T)).toMatchObject({ learning: true });
    expect(learningState(new Date(T.getTime() - 31 * DAY), 4, T)).toMatchObject({ learning: true });
    expect(learningState(new Date(T.getTime() - 30 * DAY), 5, T)).toMatchObject({ learning: false });
    expect(learningState(first, 5, T).until).toEqual(new Date(first.getTime() + 30 * DAY));
  });

  it("raises no new-country alert while learning", () => {
    const young = [s(new Date(T.getTime() - 10 * DAY), PARIS), s(new Date(T.getTime() - 9 * DAY), PARIS)];
    const result = evaluateSession(s(T, TOKYO), young, young[0]!.startedAt);
    expect(result.learning.learning).toBe(true);
    expect(result.findings).toEqual([]);
  });

  it("compares two sessions from the first pair: Moscow and London at once, on an identity's first day", () => {
    const MOSCOW = { countryCode: "RU", country: "Russia", city: "Moscow", latitude: 55.75, longitude: 37.62 };
    const london = s(new Date(T.getTime() - 3_600_000), LONDON, 0, true);
    const result = evaluateSession(s(T, MOSCOW), [london], london.startedAt);
    expect(result.learning.learning).toBe(true);
    expect(result.findings.map((f) => f.rule).sort()).toEqual(["concurrent-countries", "impossible-travel"]);
    const travel = result.findings.find((f) => f.rule === "impossible-travel")!;
    expect(travel.summary).toMatch(
      /^London, United Kingdom and Moscow, Russia, \d+ km apart, with overlapping sessions: no time to travel\.$/,
    );
    const concurrent = result.findings.find((f) => f.rule === "concurrent-countries")!;
    // Both places can be mapped: the other session's coordinates are in the evidence.
    expect(concurrent.evidence).toMatchObject({
      concurrent: [{ latitude: LONDON.latitude, longitude: LONDON.longitude }],
    });
  });
});

describe("suspicious VPN connection", () => {
  it("fires for a country not in the baseline, explaining the baseline", () => {
    const result = evaluateSession(s(new Date(T.getTime() + (30 * DAY) / 30), BRUSSELS), parisHistory(), first);
    const finding = result.findings.find((f) => f.rule === "suspicious-vpn-connection")!;
    expect(finding.severity).toBe("medium");
    expect(finding.summary).toContain("Belgium");
    expect(finding.evidence.baselineCountries).toEqual([expect.objectContaining({ countryCode: "FR", sessions: 10 })]);
  });

  it("does not fire for a known country, nor for private or unknown locations", () => {
    expect(rules(evaluateSession(s(T, VERSAILLES), parisHistory(), first))).toEqual([]);
    expect(rules(evaluateSession(s(T, "private"), parisHistory(), first))).toEqual([]);
    expect(rules(evaluateSession(s(T, "unknown"), parisHistory(), first))).toEqual([]);
  });
});

describe("impossible travel", () => {
  it("fires when the speed between two sessions exceeds the limit, with distance and speed", () => {
    const history = [...parisHistory(), s(new Date(T.getTime() - 3 * 3600_000), PARIS, 1)];
    const result = evaluateSession(s(T, TOKYO), history, first);
    expect(rules(result)).toEqual(["impossible-travel", "suspicious-vpn-connection"]);
    const travel = result.findings.find((f) => f.rule === "impossible-travel")!;
    expect(travel.severity).toBe("high");
    expect(travel.evidence.distanceKm).toBeGreaterThan(9000);
    expect(travel.evidence.speedKmh).toBeGreaterThan(1000);
    expect(travel.evidence.hours).toBeCloseTo(2, 5);
  });

  it("does not fire when the time between allows the trip, nor under 100 km", () => {
    const history = [...parisHistory(), s(new Date(T.getTime() - 13 * 3600_000), PARIS, 1)];
    expect(rules(evaluateSession(s(T, TOKYO), history, first))).toEqual(["suspicious-vpn-connection"]); // 9,700 km in 12 h: 810 km/h
    const near = [...parisHistory(), s(new Date(T.getTime() - 5 * 60_000), PARIS, 0)];
    expect(rules(evaluateSession(s(T, VERSAILLES), near, first))).toEqual([]);
  });

  it("is judged on the sessions' own times (edge: exactly at the limit does not fire)", () => {
    const km = distanceKm(PARIS, LONDON);
    const hours = km / 1000;
    const known = [
      ...parisHistory(),
      ...Array.from({ length: 5 }, (_, i) => s(new Date(T.getTime() - (20 - i) * DAY), LONDON)),
    ];
    const prev = s(new Date(T.getTime() - hours * 3600_000 - 3600_000), PARIS, 1);
    expect(rules(evaluateSession(s(T, LONDON), [...known, prev], first))).toEqual([]);
    const faster = s(new Date(T.getTime() - hours * 0.9 * 3600_000 - 3600_000), PARIS, 1);
    expect(rules(evaluateSession(s(T, LONDON), [...known, faster], first))).toEqual(["impossible-travel"]);
  });

  it("ignores private and unknown previous locations", () => {
    const history = [
      ...parisHistory(),
      s(new Date(T.getTime() - 60_000), "private", 0),
      s(new Date(T.getTime() - 30_000), "unknown", 0),
    ];
    const known = [
      ...history,
      ...Array.from({ length: 3 }, (_, i) => s(new Date(T.getTime() - (10 + i) * DAY), LONDON)),
    ];
    // The latest real location is Paris, days ago: London is reachable.
    expect(rules(evaluateSession(s(T, LONDON), known, first))).toEqual([]);
  });
});

describe("concurrent countries", () => {
  it("fires when a session from another country is still open", () => {
    const known = [
      ...parisHistory(),
      ...Array.from({ length: 3 }, (_, i) => s(new Date(T.getTime() - (10 + i) * DAY), LONDON)),
    ];
    const openInParis = s(new Date(T.getTime() - 20 * 3600_000), PARIS, 0, true);
    const result = evaluateSession(s(T, LONDON), [...known, openInParis], first);
    expect(rules(result)).toEqual(["concurrent-countries", "impossible-travel"]);
    expect(result.findings.find((f) => f.rule === "concurrent-countries")!.locationKey).toBe("FR+GB");
  });
});

describe("helpers", () => {
  it("measures distances and networks", () => {
    expect(Math.round(distanceKm(PARIS, LONDON))).toBe(343);
    expect(networkOf("81.2.69.142")).toBe("81.2.69.0/24");
    expect(networkOf("2a01:e0a:1:2::5")).toBe("2a01:e0a:1::/48");
  });
});

describe("directory accounts", () => {
  const account: AccountForJudging = {
    userPrincipalName: "bob@contoso.test",
    displayName: "Bob",
    userAccountControl: 512,
    accountExpires: null,
    lockoutTime: null,
    disabledSeenAt: null,
    adminCount: 0,
    sensitiveGroups: [],
    markedSensitive: false,
  };
  it("vpn-disabled-account: a session while disabled, expired or locked, from the first session on", () => {
    const session = s(T, LONDON);
    expect(judgeAccount(session, account)).toBeNull();
    const disabled = judgeAccount(session, {
      ...account,
      userAccountControl: 514,
      disabledSeenAt: new Date(T.getTime() - DAY),
    });
    expect(disabled).toMatchObject({ rule: "vpn-disabled-account", severity: "high", locationKey: "disabled" });
    expect(disabled?.summary).toBe(
      `VPN session by Bob (bob@contoso.test), an account disabled in the directory since ${new Date(T.getTime() - DAY).toISOString()}.`,
    );
    // Disabled only after the session started: not this session.
    expect(
      judgeAccount(session, { ...account, userAccountControl: 514, disabledSeenAt: new Date(T.getTime() + 1) }),
    ).toBeNull();
    expect(judgeAccount(session, { ...account, accountExpires: new Date(T.getTime() - 1) })?.evidence).toMatchObject({
      account: { state: "expired" },
    });
  });
  it("a sensitive account's finding is one step higher and says why", () => {
    const finding = judgeAccount(s(T, LONDON), { ...account, lockoutTime: T })!;
    expect(forAccount(finding, account)).toMatchObject({ severity: "high", severityRaised: null });
    const raised = forAccount(finding, { ...account, sensitiveGroups: ["Domain Admins"] });
    expect(raised).toMatchObject({
      severity: "critical",
      severityRaised: "high → critical: sensitive account (member of Domain Admins)",
    });
    expect(raised.summary).toMatch(/Sensitive account \(member of Domain Admins\)\.$/);
  });
});

describe("network rules", () => {
  const HOME = { asn: 3215, asOrganization: "Orange S.A.", hosting: false };
  const AWS = { asn: 16509, asOrganization: "Amazon.com, Inc.", hosting: true };
  const history = () => parisHistory().map((h) => ({ ...h, ...HOME }));

  it("a session from a hosting provider's network, never used before, is medium; a new network is low", () => {
    const result = evaluateSession(s(T, { ...PARIS, ...AWS }), history(), first);
    expect(rules(result)).toEqual(["hosting-network", "new-network"]);
    const hosting = result.findings.find((f) => f.rule === "hosting-network")!;
    expect(hosting.severity).toBe("medium");
    expect(hosting.summary).toBe(
      "VPN connection from a hosting provider's network (AS16509 Amazon.com, Inc.); none in the 30 days before.",
    );
    expect(hosting.evidence.session.network).toEqual({ asn: 16509, organization: "Amazon.com, Inc.", hosting: true });
    const fresh = result.findings.find((f) => f.rule === "new-network")!;
    expect(fresh.severity).toBe("low");
    expect(fresh.evidence).toMatchObject({
      baselineNetworks: [{ asn: 3215, organization: "Orange S.A.", sessions: 10 }],
    });
  });

  it("stays quiet for the usual network, once hosting is usual, without an owner, and while learning", () => {
    expect(rules(evaluateSession(s(T, { ...PARIS, ...HOME }), history(), first))).toEqual([]);
    const withAws = [...history(), s(new Date(T.getTime() - 3 * DAY), { ...PARIS, ...AWS })];
    expect(rules(evaluateSession(s(T, { ...PARIS, ...AWS }), withAws, first))).toEqual([]);
    expect(rules(evaluateSession(s(T, PARIS), history(), first))).toEqual([]);
    const young = [s(new Date(T.getTime() - 2 * DAY), { ...PARIS, ...HOME })];
    expect(rules(evaluateSession(s(T, { ...PARIS, ...AWS }), young, young[0]!.startedAt))).toEqual([]);
  });

  it("judges the network of a session without a located place too", () => {
    const result = evaluateSession(s(T, { ...AWS, locationKind: "unknown" }), history(), first);
    expect(rules(result)).toEqual(["hosting-network", "new-network"]);
  });
});
