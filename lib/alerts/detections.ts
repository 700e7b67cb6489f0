import { readEnv } from "../config/env.ts";
import type { FindingEvidence } from "./evidence.ts";
import { locationKey, locationLabel } from "../geo/location.ts";
import { accountStateAt, sensitiveReason, type AccountFacts } from "../directory/account-context.ts";
import { raisedSeverity, type Severity } from "./severity.ts";

/**
 * Explainable detections on an identity's VPN behaviour (pure functions: the
 * evaluator feeds them the session and the identity's history from the database).
 */

export const RULES = {
  "suspicious-vpn-connection": { severity: "medium", title: "Suspicious VPN connection", mitre: "T1133" },
  "impossible-travel": { severity: "high", title: "Impossible travel", mitre: "T1133" },
  "concurrent-countries": { severity: "medium", title: "Concurrent countries", mitre: "T1133" },
  // Valid Accounts: a disabled, expired or locked account should not be able to connect at all.
  "vpn-disabled-account": { severity: "high", title: "VPN session by a disabled account", mitre: "T1078" },
  // The network owner (lib/geo/network.ts): a new autonomous system, or a hosting provider's network (a server, a VPN
  // exit or a proxy rather than a person's connection: Proxy, T1090).
  "new-network": { severity: "low", title: "VPN connection from a new network", mitre: "T1133" },
  "hosting-network": { severity: "medium", title: "VPN connection from a hosting provider", mitre: "T1090" },
} as const satisfies Record<string, { severity: Severity; title: string; mitre: string }>;
export type RuleId = keyof typeof RULES;

/** The rules that compare a session with the identity's baseline: they wait until it has one (learningState). */
export const BASELINE_RULES: readonly RuleId[] = ["suspicious-vpn-connection", "new-network", "hosting-network"];
/** The rules that judge the directory account: they apply only where a directory is configured. */
export const DIRECTORY_RULES: readonly RuleId[] = ["vpn-disabled-account"];

export interface DetectionSettings {
  windowDays: number;
  learningMinDays: number;
  learningMinSessions: number;
  maxTravelKmh: number;
  minTravelKm: number;
}

export const DEFAULT_DETECTION_SETTINGS: DetectionSettings = {
  windowDays: 30,
  learningMinDays: 30,
  learningMinSessions: 5,
  maxTravelKmh: 1000,
  minTravelKm: 100,
};

/** When detections start for an identity, in words, from the settings (the pages say it; the numbers are settings). */
export function learningRuleText(s: DetectionSettings): string {
  return `an identity has ${s.learningMinDays} days of VPN history and at least ${s.learningMinSessions} connections in the last ${s.windowDays} days`;
}

/** The defaults with the operator's DETECTION_WINDOW_DAYS, LEARNING_MIN_*, MAX_TRAVEL_KMH. */
export function detectionSettingsFromEnv(env = readEnv()): DetectionSettings {
  return {
    ...DEFAULT_DETECTION_SETTINGS,
    windowDays: env.DETECTION_WINDOW_DAYS,
    learningMinDays: env.LEARNING_MIN_DAYS,
    learningMinSessions: env.LEARNING_MIN_SESSIONS,
    maxTravelKmh: env.MAX_TRAVEL_KMH,
  };
}

export interface SessionFacts {
  sessionKey: string;
  startedAt: Date;
  endedAt: Date | null;
  lastUpdateAt: Date;
  publicIp: string | null;
  locationKind: string | null;
  countryCode: string | null;
  country: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
  clientName: string | null;
  /** The public IP's network owner (null: no public IP, or no known owner). */
  asn: number | null;
  asOrganization: string | null;
  hosting: boolean | null;
}

/** One rule's finding, with that rule's evidence (lib/alerts/evidence.ts). */
export type Finding = {
  [R in RuleId]: {
    rule: R;
    severity: Severity;
    /** The new location this finding is about (for one-alert-per-location-per-day). */
    locationKey: string;
    summary: string;
    evidence: FindingEvidence<R>;
  };
}[RuleId];

const isGeo = (s: SessionFacts) => s.locationKind === "geo" && s.countryCode !== null;
const place = (s: SessionFacts) => locationLabel(s.locationKind, s.country ?? s.countryCode, null, s.city);
const DAY = 86_400_000;

/** Great-circle distance (haversine), km. */
export function distanceKm(
  a: { latitude: number; longitude: number },
  b: { latitude: number; longitude: number },
): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

export interface LearningState {
  learning: boolean;
  /** When the identity leaves learning at the earliest (its first session + learningMinDays). */
  until: Date;
  sessionsInWindow: number;
}

/**
 * Learning: first session < learningMinDays old, or < learningMinSessions in the window. It holds back the rules that
 * need a baseline (BASELINE_RULES); the others apply from an identity's first sessions.
 */
export function learningState(
  firstSeen: Date,
  sessionsInWindow: number,
  at: Date,
  s = DEFAULT_DETECTION_SETTINGS,
): LearningState {
  const until = new Date(firstSeen.getTime() + s.learningMinDays * DAY);
  return { learning: at < until || sessionsInWindow < s.learningMinSessions, until, sessionsInWindow };
}

/**
 * The baseline: what the identity did in the window before `at`, with counts and last seen.
 * A place becomes part of it after a day, so repeats from a new place on the day it
 * appeared add evidence to that day's alert instead of silencing it.
 */
export function baselineOf(history: SessionFacts[], at: Date, s = DEFAULT_DETECTION_SETTINGS) {
  const from = at.getTime() - s.windowDays * DAY;
  const until = at.getTime() - DAY;
  const inWindow = history.filter((h) => h.startedAt.getTime() >= from && h.startedAt.getTime() < until);
  const countries = new Map<string, { country: string | null; sessions: number; lastSeen: Date }>();
  const cities = new Map<string, { sessions: number; lastSeen: Date }>();
  const networks = new Set<string>();
  const asns = new Map<number, { organization: string | null; sessions: number }>();
  let hostingSessions = 0;
  const clients = new Set<string>();
  for (const h of inWindow) {
    if (isGeo(h)) {
      const c = countries.get(h.countryCode!) ?? { country: h.country, sessions: 0, lastSeen: h.startedAt };
      c.sessions += 1;
      if (h.startedAt > c.lastSeen) c.lastSeen = h.startedAt;
      countries.set(h.countryCode!, c);
      const cityKey = locationKey(h.locationKind, h.countryCode, h.city);
      const city = cities.get(cityKey) ?? { sessions: 0, lastSeen: h.startedAt };
      city.sessions += 1;
      if (h.startedAt > city.lastSeen) city.lastSeen = h.startedAt;
      cities.set(cityKey, city);
    }
    if (h.publicIp) networks.add(networkOf(h.publicIp));
    if (h.asn !== null) {
      const a = asns.get(h.asn) ?? { organization: h.asOrganization, sessions: 0 };
      a.sessions += 1;
      asns.set(h.asn, a);
    }
    if (h.hosting) hostingSessions += 1;
    if (h.clientName) clients.add(h.clientName);
  }
  return { sessions: inWindow.length, countries, cities, networks, asns, hostingSessions, clients };
}

/** /24 for IPv4, /48 for IPv6. */
export function networkOf(ip: string): string {
  if (ip.includes(":")) return `${ip.split(":").slice(0, 3).join(":")}::/48`;
  return `${ip.split(".").slice(0, 3).join(".")}.0/24`;
}

function evidenceOf(session: SessionFacts) {
  return {
    sessionKey: session.sessionKey,
    startedAt: session.startedAt.toISOString(),
    publicIp: session.publicIp,
    location: place(session),
    countryCode: session.countryCode,
    latitude: session.latitude,
    longitude: session.longitude,
    network: networkEvidence(session),
  };
}

/** The network in every rule's evidence: "AS16509 Amazon.com, Inc. (hosting)". */
function networkEvidence(s: SessionFacts) {
  return s.asn === null ? null : { asn: s.asn, organization: s.asOrganization, hosting: s.hosting === true };
}
const networkName = (asn: number, organization: string | null) => `AS${asn}${organization ? ` ${organization}` : ""}`;

/** The directory account behind an identity, as the detections use it. */
export interface AccountForJudging extends AccountFacts {
  userPrincipalName: string;
  displayName: string | null;
}

/**
 * vpn-disabled-account: a session by an account that was disabled, expired or locked at the session's start. Needs no
 * baseline: it applies from an identity's first session, located or not.
 */
export function judgeAccount(session: SessionFacts, account: AccountForJudging): Finding | null {
  const { state, since } = accountStateAt(account, session.startedAt);
  if (state === "enabled") return null;
  const who = account.displayName ? `${account.displayName} (${account.userPrincipalName})` : account.userPrincipalName;
  return {
    rule: "vpn-disabled-account",
    severity: RULES["vpn-disabled-account"].severity,
    locationKey: state,
    summary: `VPN session by ${who}, an account ${state} in the directory${since ? ` since ${since.toISOString()}` : ""}.`,
    evidence: {
      session: evidenceOf(session),
      account: {
        userPrincipalName: account.userPrincipalName,
        displayName: account.displayName,
        state,
        since: since?.toISOString() ?? null,
      },
    },
  };
}

/** A sensitive account's finding is one severity higher, and says why; others are unchanged. */
export function forAccount(
  finding: Finding,
  account: AccountFacts | null,
): Finding & { severityRaised: string | null } {
  const reason = account ? sensitiveReason(account) : null;
  if (!reason) return { ...finding, severityRaised: null };
  const severity = raisedSeverity(finding.severity);
  return {
    ...finding,
    severity,
    severityRaised: `${finding.severity} → ${severity}: sensitive account (${reason})`,
    summary: `${finding.summary} Sensitive account (${reason}).`,
  };
}

/**
 * Evaluates one new session against the identity's history (sessions started
 * before it, any status). `firstSeen` is the identity's first session.
 */
export function evaluateSession(
  session: SessionFacts,
  history: SessionFacts[],
  firstSeen: Date,
  s = DEFAULT_DETECTION_SETTINGS,
): { learning: LearningState; findings: Finding[] } {
  const at = session.startedAt;
  const baseline = baselineOf(history, at, s);
  const windowStart = at.getTime() - s.windowDays * DAY;
  const sessionsInWindow = history.filter((h) => h.startedAt.getTime() >= windowStart && h.startedAt < at).length;
  const learning = learningState(firstSeen, sessionsInWindow, at, s);
  // Learning holds back only what needs a baseline (a new country or network); two-session rules fire from the first
  // pair.
  const findings: Finding[] = [];
  if (!learning.learning && session.asn !== null) {
    const baselineNetworks = [...baseline.asns.entries()].map(([asn, a]) => ({
      asn,
      organization: a.organization,
      sessions: a.sessions,
    }));
    const name = networkName(session.asn, session.asOrganization);
    if (session.hosting && baseline.hostingSessions === 0)
      findings.push({
        rule: "hosting-network",
        severity: RULES["hosting-network"].severity,
        locationKey: `AS${session.asn}`,
        summary: `VPN connection from a hosting provider's network (${name}); none in the ${s.windowDays} days before.`,
        evidence: { session: evidenceOf(session), baselineNetworks, windowDays: s.windowDays },
      });
    if (!baseline.asns.has(session.asn))
      findings.push({
        rule: "new-network",
        severity: RULES["new-network"].severity,
        locationKey: `AS${session.asn}`,
        summary: `First VPN connection from ${name} in ${s.windowDays} days (baseline: ${baselineNetworks.map((b) => `AS${b.asn}`).join(", ") || "none"}).`,
        evidence: { session: evidenceOf(session), baselineNetworks, windowDays: s.windowDays },
      });
  }
  if (!isGeo(session)) return { learning, findings };
  const sessionEvidence = evidenceOf(session);
  const baselineEvidence = [...baseline.countries.entries()].map(([code, c]) => ({
    countryCode: code,
    country: c.country,
    sessions: c.sessions,
    lastSeen: c.lastSeen.toISOString(),
  }));

  if (!learning.learning && !baseline.countries.has(session.countryCode!)) {
    findings.push({
      rule: "suspicious-vpn-connection",
      severity: RULES["suspicious-vpn-connection"].severity,
      locationKey: session.countryCode!,
      summary: `First VPN connection from ${session.country ?? session.countryCode} in ${s.windowDays} days (baseline: ${baselineEvidence.map((b) => b.country ?? b.countryCode).join(", ")}).`,
      evidence: {
        session: sessionEvidence,
        baselineCountries: baselineEvidence,
        baselineSessions: baseline.sessions,
        windowDays: s.windowDays,
        newNetwork: session.publicIp ? !baseline.networks.has(networkOf(session.publicIp)) : null,
      },
    });
  }

  // The most recent earlier session with a real location.
  const previous = history
    .filter(
      (h) =>
        h.startedAt < at &&
        isGeo(h) &&
        h.latitude !== null &&
        h.longitude !== null &&
        h.sessionKey !== session.sessionKey,
    )
    .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime())[0];
  if (previous && session.latitude !== null && session.longitude !== null) {
    const km = distanceKm(
      previous as { latitude: number; longitude: number },
      session as { latitude: number; longitude: number },
    );
    // A session still open at the new one's start means no time at all to travel.
    const previousEnd = previous.endedAt ?? at;
    const hours = Math.max(0, (at.getTime() - Math.min(previousEnd.getTime(), at.getTime())) / 3_600_000);
    const kmh = hours === 0 ? Infinity : km / hours;
    if (km >= s.minTravelKm && kmh > s.maxTravelKmh) {
      findings.push({
        rule: "impossible-travel",
        severity: RULES["impossible-travel"].severity,
        locationKey: `${session.countryCode}|${session.city ?? ""}`,
        summary: Number.isFinite(kmh)
          ? `${place(previous)} → ${place(session)}: ${Math.round(km)} km in ${hours.toFixed(1)} h (${Math.round(kmh)} km/h; limit ${s.maxTravelKmh} km/h).`
          : `${place(previous)} and ${place(session)}, ${Math.round(km)} km apart, with overlapping sessions: no time to travel.`,
        evidence: {
          session: sessionEvidence,
          previous: {
            sessionKey: previous.sessionKey,
            location: place(previous),
            countryCode: previous.countryCode,
            latitude: previous.latitude,
            longitude: previous.longitude,
            endedAt: previousEnd.toISOString(),
            publicIp: previous.publicIp,
          },
          distanceKm: Math.round(km),
          hours: Number(hours.toFixed(2)),
          speedKmh: Number.isFinite(kmh) ? Math.round(kmh) : null,
          maxTravelKmh: s.maxTravelKmh,
        },
      });
    }
  }

  // Sessions open at the same moment from another country.
  const concurrent = history.filter(
    (h) =>
      h.sessionKey !== session.sessionKey &&
      isGeo(h) &&
      h.countryCode !== session.countryCode &&
      h.startedAt <= at &&
      (h.endedAt === null || h.endedAt > at),
  );
  if (concurrent.length) {
    findings.push({
      rule: "concurrent-countries",
      severity: RULES["concurrent-countries"].severity,
      locationKey: [session.countryCode, ...new Set(concurrent.map((c) => c.countryCode))].sort().join("+"),
      summary: `Open at the same time from ${place(session)} and ${[...new Set(concurrent.map(place))].join(", ")}.`,
      evidence: {
        session: sessionEvidence,
        concurrent: concurrent.map((c) => ({
          sessionKey: c.sessionKey,
          location: place(c),
          countryCode: c.countryCode,
          startedAt: c.startedAt.toISOString(),
          publicIp: c.publicIp,
          latitude: c.latitude,
          longitude: c.longitude,
        })),
      },
    });
  }
  return { learning, findings };
}
