import { describe, expect, it } from "vitest";
import { healthFindings, formatDuration, type HealthFacts } from "./checks.ts";

const NOW = new Date("2026-11-30T12:00:00Z");
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const facts = (over: Partial<HealthFacts> = {}): HealthFacts => ({
  sources: [],
  sensors: [],
  clients: [],
  silentClientMinutes: 240,
  directory: { enabled: false, urls: [], lastSyncAt: null, lastSyncError: null },
  ...over,
});
const kinds = (f: HealthFacts) => healthFindings(f, NOW).map((x) => `${x.kind} ${x.subject}`);

describe("health checks", () => {
  it("an ingestion failure is a recent wrong secret with nothing accepted after it", () => {
    const source = { source: "10.0.0.5", lastAccepted: null, lastWrongSecret: ago(2), wrongSecretRecent: 12 };
    const clients = [{ name: "rras-1", address: "10.0.0.0/24" }];
    const [finding] = healthFindings(facts({ sources: [source], clients }), NOW);
    expect(finding).toMatchObject({ kind: "ingestion-failure", subject: "10.0.0.5" });
    expect(finding!.message).toContain('RADIUS client "rras-1" (10.0.0.5)');
    expect(finding!.message).toContain("12 requests dropped");
    // Fixed: an accepted request after the last wrong one.
    expect(kinds(facts({ sources: [{ ...source, lastAccepted: ago(1) }] }))).toEqual([]);
    // Stopped sending wrong ones a while ago.
    expect(kinds(facts({ sources: [{ ...source, lastWrongSecret: ago(16) }] }))).toEqual([]);
    // Accepted before, failing since (the secret was changed on one side).
    expect(kinds(facts({ sources: [{ ...source, lastAccepted: ago(30) }] }))).toEqual(["ingestion-failure 10.0.0.5"]);
  });

  it("names a source by its most specific RADIUS client, as the sensor decides which client it is", () => {
    const source = { source: "10.0.0.5", lastAccepted: null, lastWrongSecret: ago(1), wrongSecretRecent: 1 };
    const clients = [
      { name: "a-whole-net", address: "10.0.0.0/8" },
      { name: "z-rras-1", address: "10.0.0.5" },
    ];
    expect(healthFindings(facts({ sources: [source], clients }), NOW)[0]!.message).toContain(
      'RADIUS client "z-rras-1" (10.0.0.5)',
    );
  });

  it("a silent client: sent accounting before, nothing for longer than the threshold", () => {
    const source = { source: "10.0.0.5", lastAccepted: ago(241), lastWrongSecret: null, wrongSecretRecent: 0 };
    const [finding] = healthFindings(facts({ sources: [source] }), NOW);
    expect(finding).toMatchObject({ kind: "client-silent", subject: "10.0.0.5", since: ago(1) });
    expect(finding!.message).toContain("more than 4 h");
    expect(kinds(facts({ sources: [{ ...source, lastAccepted: ago(239) }] }))).toEqual([]);
    expect(kinds(facts({ sources: [source], silentClientMinutes: 300 }))).toEqual([]);
    // Forgotten after 7 days, unless it is a configured client.
    const old = { ...source, lastAccepted: ago(8 * 1440) };
    expect(kinds(facts({ sources: [old] }))).toEqual([]);
    expect(kinds(facts({ sources: [old], clients: [{ name: "rras-1", address: "10.0.0.5" }] }))).toEqual([
      "client-silent 10.0.0.5",
    ]);
  });

  it("sensors: not reporting, spool in use, records set aside", () => {
    const sensor = { sensorId: "s1", lastHeartbeat: ago(0.1), spoolDepth: 0, spoolSince: null, setAside: 0 };
    expect(kinds(facts({ sensors: [sensor] }))).toEqual([]);
    expect(kinds(facts({ sensors: [{ ...sensor, lastHeartbeat: ago(1) }] }))).toEqual(["sensor-not-reporting s1"]);
    expect(kinds(facts({ sensors: [{ ...sensor, lastHeartbeat: ago(8 * 1440) }] }))).toEqual([]);
    const spooling = { ...sensor, spoolDepth: 3, spoolSince: ago(5) };
    expect(healthFindings(facts({ sensors: [spooling] }), NOW)[0]).toMatchObject({
      kind: "spool-in-use",
      since: ago(5),
    });
    expect(kinds(facts({ sensors: [{ ...sensor, setAside: 2 }] }))).toEqual(["records-set-aside s1"]);
    // A sensor that stopped reporting is that issue alone: what it reported last is not news.
    expect(kinds(facts({ sensors: [{ ...spooling, lastHeartbeat: ago(5), setAside: 1 }] }))).toEqual([
      "sensor-not-reporting s1",
    ]);
  });

  it("the directory sync failing, only while the directory is on", () => {
    const directory = {
      enabled: true,
      urls: ["ldaps://dc1.contoso.test"],
      lastSyncAt: ago(3).toISOString(),
      lastSyncError: "invalid credentials (AD data 52e)",
    };
    const [finding] = healthFindings(facts({ directory }), NOW);
    expect(finding).toMatchObject({ kind: "directory-sync-failing", subject: "directory", since: ago(3) });
    expect(finding!.message).toContain("ldaps://dc1.contoso.test failed: invalid credentials");
    expect(kinds(facts({ directory: { ...directory, enabled: false } }))).toEqual([]);
    expect(kinds(facts({ directory: { ...directory, lastSyncError: null } }))).toEqual([]);
  });

  it("durations read as people say them", () => {
    expect(formatDuration(45 * 60_000)).toBe("45 min");
    expect(formatDuration(90 * 60_000)).toBe("1 h 30 min");
    expect(formatDuration(240 * 60_000)).toBe("4 h");
    expect(formatDuration(3 * 86_400_000)).toBe("3 days");
  });
});
