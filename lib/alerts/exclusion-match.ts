import { ipBlockTest, ipValue, parseIpOrCidr } from "../net/cidr.ts";

// Which exclusion covers a finding: one rule, used where the detector judges (lib/alerts/session-judging.ts) and
// where the portal shows an alert's `excludedBy` (lib/alerts/triage.ts). No Prisma: the detector runs it.

/** An exclusion as stored (the "DetectionExclusion" row). Every field given must match; null matches anything. */
export interface ExclusionRule {
  id: string;
  rule: string | null;
  identity: string | null;
  ipBlock: string | null;
  countryCode: string | null;
  nas: string | null;
  reason: string;
  expiresAt: Date | null;
}

/** What an exclusion is matched against: the finding's rule and its session. */
export interface ExclusionFacts {
  rule: string;
  identity: string;
  publicIp: string | null;
  countryCode: string | null;
  /** Every name of the session's NAS: NAS-IP-Address, NAS-Identifier, the address it sent from. */
  nas: (string | null)[];
}

export type ExclusionMatcher = (facts: ExclusionFacts, at?: Date) => ExclusionRule | null;

/** Compiles the exclusions once (a CIDR test each), for every finding of a detection round. */
export function compileExclusions(exclusions: ExclusionRule[]): ExclusionMatcher {
  const compiled = exclusions.map((e) => {
    const block = e.ipBlock ? parseIpOrCidr(e.ipBlock) : null;
    const inBlock = block ? ipBlockTest(block) : null;
    return { e, inBlock, nas: e.nas?.toLowerCase() ?? null };
  });
  return (facts, at = new Date()) => {
    const ip = facts.publicIp ? ipValue(facts.publicIp) : null;
    for (const { e, inBlock, nas } of compiled) {
      if (e.expiresAt && e.expiresAt <= at) continue;
      if (e.rule && e.rule !== facts.rule) continue;
      if (e.identity && e.identity !== facts.identity) continue;
      if (e.countryCode && e.countryCode !== facts.countryCode) continue;
      if (e.ipBlock && !inBlock?.(ip)) continue;
      if (nas && !facts.nas.some((n) => n?.toLowerCase() === nas)) continue;
      return e;
    }
    return null;
  };
}

/** The exclusion in words: "rule Impossible travel · IP 203.0.113.0/24 · until …". */
export function describeExclusion(e: ExclusionRule, ruleTitle: (rule: string) => string): string {
  const parts = [
    e.rule ? `rule ${ruleTitle(e.rule)}` : "every rule",
    e.identity && `identity ${e.identity}`,
    e.ipBlock && `IP ${e.ipBlock}`,
    e.countryCode && `country ${e.countryCode}`,
    e.nas && `NAS ${e.nas}`,
  ];
  return parts.filter(Boolean).join(" · ");
}
