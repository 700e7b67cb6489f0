// What an alert carries as evidence, per rule: one zod schema, used where it is written (lib/alerts/detections.ts,
// lib/alerts/session-judging.ts) and where it is read (the alert page, the profile, alert forwarding).
import { z } from "zod";
import { SEVERITIES } from "./severity.ts";

const SessionEvidenceSchema = z.object({
  sessionKey: z.string(),
  startedAt: z.string(),
  publicIp: z.string().nullable(),
  location: z.string(),
  countryCode: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  /** The public IP's network owner (alerts raised before it was stored have none). */
  network: z
    .object({ asn: z.number(), organization: z.string().nullable(), hosting: z.boolean() })
    .nullable()
    .optional(),
});

/** The networks an identity used in the window: what the network rules compare with. */
const NetworkRuleSchema = z.object({
  session: SessionEvidenceSchema,
  baselineNetworks: z.array(z.object({ asn: z.number(), organization: z.string().nullable(), sessions: z.number() })),
  windowDays: z.number(),
});
export type SessionEvidence = z.infer<typeof SessionEvidenceSchema>;

const SuspiciousConnectionSchema = z.object({
  session: SessionEvidenceSchema,
  baselineCountries: z.array(
    z.object({ countryCode: z.string(), country: z.string().nullable(), sessions: z.number(), lastSeen: z.string() }),
  ),
  baselineSessions: z.number(),
  windowDays: z.number(),
  newNetwork: z.boolean().nullable(),
});

const ImpossibleTravelSchema = z.object({
  session: SessionEvidenceSchema,
  previous: z.object({
    sessionKey: z.string(),
    location: z.string(),
    countryCode: z.string().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    endedAt: z.string(),
    publicIp: z.string().nullable(),
  }),
  distanceKm: z.number(),
  hours: z.number(),
  /** null: the sessions overlapped (no time to travel at all). */
  speedKmh: z.number().nullable(),
  maxTravelKmh: z.number(),
});

const ConcurrentCountriesSchema = z.object({
  session: SessionEvidenceSchema,
  concurrent: z.array(
    z.object({
      sessionKey: z.string(),
      location: z.string(),
      countryCode: z.string().nullable(),
      startedAt: z.string(),
      publicIp: z.string().nullable(),
      // Stored since the alert page maps both places (older alerts have none).
      latitude: z.number().nullable().optional(),
      longitude: z.number().nullable().optional(),
    }),
  ),
});

const DisabledAccountSchema = z.object({
  session: SessionEvidenceSchema,
  account: z.object({
    userPrincipalName: z.string(),
    displayName: z.string().nullable(),
    state: z.enum(["disabled", "expired", "locked"]),
    /** When the state began, as far as the directory tells (disabled: when a sync first saw it). */
    since: z.string().nullable(),
  }),
});

/** The findings' evidence by rule (what lib/alerts/detections.ts builds). */
export const FINDING_EVIDENCE = {
  "suspicious-vpn-connection": SuspiciousConnectionSchema,
  "impossible-travel": ImpossibleTravelSchema,
  "concurrent-countries": ConcurrentCountriesSchema,
  "vpn-disabled-account": DisabledAccountSchema,
  "new-network": NetworkRuleSchema,
  "hosting-network": NetworkRuleSchema,
} as const;
export type FindingEvidence<R extends keyof typeof FINDING_EVIDENCE> = z.infer<(typeof FINDING_EVIDENCE)[R]>;

const SeveritySchema = z.enum(SEVERITIES);
/** Another rule that fired on the same session: it joins that session's alert (one incident) with its own evidence. */
const AlsoFindingSchema = z
  .discriminatedUnion("rule", [
    SuspiciousConnectionSchema.extend({ rule: z.literal("suspicious-vpn-connection") }),
    ImpossibleTravelSchema.extend({ rule: z.literal("impossible-travel") }),
    ConcurrentCountriesSchema.extend({ rule: z.literal("concurrent-countries") }),
    DisabledAccountSchema.extend({ rule: z.literal("vpn-disabled-account") }),
    NetworkRuleSchema.extend({ rule: z.literal("new-network") }),
    NetworkRuleSchema.extend({ rule: z.literal("hosting-network") }),
  ])
  .and(z.object({ severity: SeveritySchema, summary: z.string() }));
export type AlsoFinding = z.infer<typeof AlsoFindingSchema>;

/** What every stored alert adds: the summary, and each session that raised it again the same day. */
const StoredSchema = z.object({
  summary: z.string(),
  sessionKeys: z.array(z.string()).default([]),
  repeats: z.array(SessionEvidenceSchema).default([]),
  /** Why the severity is one step above the rule's: the account is sensitive (lib/directory/account-context.ts). */
  severityRaised: z.string().nullable().default(null),
  /** The other rules that fired on the session (older alerts have none). */
  also: z.array(AlsoFindingSchema).default([]),
});

export const AlertEvidenceSchema = z.discriminatedUnion("rule", [
  SuspiciousConnectionSchema.extend(StoredSchema.shape).extend({ rule: z.literal("suspicious-vpn-connection") }),
  ImpossibleTravelSchema.extend(StoredSchema.shape).extend({ rule: z.literal("impossible-travel") }),
  ConcurrentCountriesSchema.extend(StoredSchema.shape).extend({ rule: z.literal("concurrent-countries") }),
  DisabledAccountSchema.extend(StoredSchema.shape).extend({ rule: z.literal("vpn-disabled-account") }),
  NetworkRuleSchema.extend(StoredSchema.shape).extend({ rule: z.literal("new-network") }),
  NetworkRuleSchema.extend(StoredSchema.shape).extend({ rule: z.literal("hosting-network") }),
]);
export type AlertEvidence = z.infer<typeof AlertEvidenceSchema>;

/** Evidence a reader may rely on: typed when it matches its rule's schema, else only what every alert has. */
export type EvidenceView = AlertEvidence | { rule: "other"; summary: string; session?: Partial<SessionEvidence> };

export function readEvidence(rule: string, json: unknown): EvidenceView {
  const parsed = AlertEvidenceSchema.safeParse({ ...(json as object), rule });
  if (parsed.success) return parsed.data;
  const loose = (json ?? {}) as { summary?: unknown; session?: Partial<SessionEvidence> };
  return { rule: "other", summary: typeof loose.summary === "string" ? loose.summary : "", session: loose.session };
}
