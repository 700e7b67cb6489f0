// 35 days of history through radclient (Event-Timestamp in the past), then a connection from a
// new country and one from an impossible distance: exactly the expected alerts, explained.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import dgram from "node:dgram";
import { updateForwardingSettings, ForwardingSettingsSchema } from "../lib/alerts/forwarding-settings.ts";
import { listAlerts, AlertQuerySchema } from "../lib/alerts/triage.ts";
import { createTestDatabase, type TestDatabase } from "../lib/testing/test-database.ts";
import { updateVpnSettings, VpnSettingsUpdateSchema } from "../lib/radius/vpn-settings.ts";
import { startSensor, waitFor, type SensorProcess } from "./testing/sensor-process.ts";
import { parseInput } from "../lib/errors.ts";
import { readEvidence } from "../lib/alerts/evidence.ts";

const SECRET = "alerts-secret-000001";
const NOW = Math.floor(Date.now() / 1000);
const DAY = 86_400;
let t: TestDatabase;
let sensor: SensorProcess;

beforeAll(async () => {
  t = await createTestDatabase();
  await updateVpnSettings(t.db, parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: SECRET }), {
    label: "test",
  });
  // The SIEM below listens on loopback, which alert forwarding refuses by default.
  sensor = await startSensor({
    DATABASE_URL: t.url,
    VPNSIGHT_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-alerts-")),
    ALERT_FORWARDING_ALLOW_PRIVATE: "1",
  });
});
afterAll(async () => {
  await sensor.stop();
  await t.drop();
});

function packet(id: string, status: "Start" | "Stop", ip: string, at: number, extra = "", user = "carol@contoso.com") {
  return `User-Name = "${user}"\nNAS-IP-Address = 10.0.0.1\nAcct-Session-Id = "${id}"\nAcct-Status-Type = ${status}\nCalling-Station-Id = "${ip}"\nEvent-Timestamp = ${at}\n${extra}`;
}
function radclient(packets: string[]) {
  const result = spawnSync("radclient", ["-p", "1", "-r", "2", "-t", "2", `127.0.0.1:${sensor.port}`, "acct", SECRET], {
    input: packets.join("\n"),
    encoding: "utf8",
  });
  expect(result.status, result.stderr).toBe(0);
}

describe("abnormal VPN connection detection", () => {
  it("raises a new-country alert and an impossible-travel alert, and nothing during normal history", async () => {
    const history: string[] = [];
    for (let day = 35; day >= 2; day -= 3) {
      const start = NOW - day * DAY;
      history.push(
        packet(`H-${day}`, "Start", "81.2.69.142", start),
        packet(`H-${day}`, "Stop", "81.2.69.142", start + 3600, "Acct-Session-Time = 3600\n"),
      );
    }
    radclient(history);
    // Normal history: judged, no alert.
    await waitFor(
      async () =>
        (await t.query<{ n: number }>(`SELECT count(*)::int AS n FROM "VpnSession" WHERE "detectedAt" IS NULL`))[0]!
          .n === 0,
      15_000,
      "history judged",
    );
    expect((await listAlerts(t.db, parseInput(AlertQuerySchema, {}))).items).toEqual([]);

    // The SIEM: a syslog listener on loopback.
    const siem = dgram.createSocket("udp4");
    const cefLines: string[] = [];
    siem.on("message", (m) => cefLines.push(m.toString()));
    await new Promise<void>((r) => siem.bind(0, "127.0.0.1", () => r()));
    await updateForwardingSettings(
      t.db,
      parseInput(ForwardingSettingsSchema, {
        syslogEnabled: true,
        syslogHost: "127.0.0.1",
        syslogPort: siem.address().port,
        syslogProtocol: "udp",
        webhookEnabled: false,
      }),
      { label: "test" },
    );

    // A connection from the Netherlands (new country), still open; then Japan 30 minutes later.
    radclient([packet("NEW-NL", "Start", "91.198.174.192", NOW - 3600)]);
    radclient([packet("NEW-JP", "Start", "133.11.0.1", NOW - 1800)]);
    const alerts = await waitFor(
      async () => {
        const { items } = await listAlerts(t.db, parseInput(AlertQuerySchema, { identity: "carol@contoso.com" }));
        return items.length >= 2 ? items : null;
      },
      15_000,
      "alerts",
    );
    await new Promise((r) => setTimeout(r, 3500)); // one more detection round: nothing else may appear
    const final = (await listAlerts(t.db, parseInput(AlertQuerySchema, { identity: "carol@contoso.com" }))).items;
    // Japan fired three rules on one session: one alert (the most severe rule's), the others inside.
    // Japan's network (AS2501) is new too; the Netherlands address has no known owner.
    expect(final.map((a) => `${a.rules.join("+")}:${a.severity}`).sort()).toEqual([
      "impossible-travel+suspicious-vpn-connection+concurrent-countries+new-network:high",
      "suspicious-vpn-connection:medium",
    ]);
    expect(final).toHaveLength(alerts.length);
    // The evidence the detector stored reads back as its rule's schema says (lib/alerts/evidence.ts).
    const read = final.map((a) => readEvidence(a.rule, a.evidence));
    expect(read.map((e) => e.rule).sort()).toEqual(final.map((a) => a.rule).sort());
    const evidence = read.find((e) => e.rule === "impossible-travel")!;
    if (evidence.rule !== "impossible-travel") throw new Error("unreachable");
    expect(evidence.previous.countryCode).toBe("NL");
    expect(evidence.session.countryCode).toBe("JP");
    expect(evidence.distanceKm).toBeGreaterThan(9000);
    expect(evidence.summary).toMatch(/km/);
    const nl = final.find(
      (a) => a.rule === "suspicious-vpn-connection" && readEvidence(a.rule, a.evidence).session?.countryCode === "NL",
    )!;
    const nlEvidence = readEvidence(nl.rule, nl.evidence);
    expect(nlEvidence.rule === "suspicious-vpn-connection" && nlEvidence.baselineCountries).toEqual([
      expect.objectContaining({ countryCode: "GB" }),
    ]);
    expect(new Date(nl.occurredAt).getTime()).toBe((NOW - 3600) * 1000);
    const lines = await waitFor(async () => (cefLines.length >= 2 ? cefLines : null), 15_000, "CEF lines at the SIEM");
    expect(lines.map((l) => l.match(/CEF:0\|VPN Sight\|VPN Sight\|1\.0\|([a-z-]+)\|/)?.[1]).sort()).toEqual([
      "impossible-travel",
      "suspicious-vpn-connection",
    ]);
    expect(lines.find((l) => l.includes("|impossible-travel|"))).toContain(
      "cs4=impossible-travel,suspicious-vpn-connection,concurrent-countries,new-network",
    );
    expect(lines.every((l) => l.includes("suser=carol@contoso.com"))).toBe(true);

    // A retransmitted Start and a second session from the Netherlands the same day add evidence, not alerts.
    radclient([
      packet("NEW-NL", "Start", "91.198.174.192", NOW - 3600),
      packet("NEW-NL-2", "Start", "91.198.174.193", NOW - 3000),
    ]);
    await waitFor(
      async () => {
        const { items } = await listAlerts(
          t.db,
          parseInput(AlertQuerySchema, { identity: "carol@contoso.com", rule: "suspicious-vpn-connection" }),
        );
        return items.find((a) => a.occurrences === 2);
      },
      30_000,
      "repeat added as evidence",
    ).then((repeated) => {
      const e = readEvidence(repeated.rule, repeated.evidence);
      expect(e.rule === "suspicious-vpn-connection" && e.repeats.length).toBe(1);
    });
    expect(
      (await listAlerts(t.db, parseInput(AlertQuerySchema, { identity: "carol@contoso.com" }))).items.length,
    ).toBeLessThanOrEqual(6);
    siem.close();
  }, 60_000);

  it("marks a session from a cloud provider's address as hosting, with its ASN and owner, and raises the hosting rule once learned", async () => {
    const user = "hank@contoso.com";
    const history: string[] = [];
    for (let day = 35; day >= 2; day -= 3) {
      const start = NOW - day * DAY;
      history.push(
        packet(`HK-${day}`, "Start", "81.2.69.142", start, "", user),
        packet(`HK-${day}`, "Stop", "81.2.69.142", start + 3600, "Acct-Session-Time = 3600\n", user),
      );
    }
    radclient(history);
    // An address in Amazon's AS16509 (AWS publishes 3.5.140.0/22 in its ip-ranges.json).
    radclient([packet("HK-AWS", "Start", "3.5.140.1", NOW - 600, "", user)]);
    const alert = await waitFor(
      async () =>
        (await listAlerts(t.db, parseInput(AlertQuerySchema, { identity: user }))).items.find((a) =>
          a.rules.includes("hosting-network"),
        ),
      30_000,
      "the hosting alert",
    );
    const [session] = await t.query<{ asn: number; asOrganization: string; hosting: boolean }>(
      `SELECT asn, "asOrganization", hosting FROM "VpnSession" WHERE "acctSessionId" = 'HK-AWS'`,
    );
    expect(session).toEqual({ asn: 16509, asOrganization: "Amazon.com, Inc.", hosting: true });
    const [event] = await t.query<{ asn: number; hosting: boolean }>(
      `SELECT e.asn, e.hosting FROM "VpnSessionEvent" e JOIN "VpnSession" s ON s.id = e."sessionId" WHERE s."acctSessionId" = 'HK-AWS'`,
    );
    expect(event).toEqual({ asn: 16509, hosting: true });
    expect(alert.rules).toEqual(expect.arrayContaining(["hosting-network", "new-network"]));
    expect(alert.sessions[0]).toMatchObject({ publicIp: "3.5.140.1" });
    const e = readEvidence(alert.rule, alert.evidence);
    expect(e.rule !== "other" && e.session.network).toEqual({
      asn: 16509,
      organization: "Amazon.com, Inc.",
      hosting: true,
    });
    expect(e.summary).toContain("AS16509 Amazon.com, Inc.");
  }, 60_000);
});
