// Directory accounts as the sensor meets them: its detector syncs on schedule, and real radclient packets with the
// names a NAS sends for one person land on the account's identity, from the sensor's in-memory index (no LDAP call
// per packet).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DirectorySettingsUpdateSchema,
  getDirectorySettings,
  updateDirectorySettings,
} from "../lib/directory/settings.ts";
import { parseInput } from "../lib/errors.ts";
import { VpnSettingsUpdateSchema, updateVpnSettings } from "../lib/radius/vpn-settings.ts";
import {
  STAFF_PASSWORD,
  contosoStaff,
  directorySettingsFor,
  sambaInstalled,
  startSambaDc,
  type SambaDc,
} from "../lib/testing/samba-dc.ts";
import { createTestDatabase, type TestDatabase } from "../lib/testing/test-database.ts";
import { startSensor, waitFor, type SensorProcess } from "./testing/sensor-process.ts";

const SECRET = "directory-secret-0001";
const PASSWORD = STAFF_PASSWORD;
let dc: SambaDc;
let t: TestDatabase;
let sensor: SensorProcess;

beforeAll(async () => {
  if (!sambaInstalled()) return;
  dc = await startSambaDc(contosoStaff);
  t = await createTestDatabase();
  await updateVpnSettings(t.db, parseInput(VpnSettingsUpdateSchema, { enabled: true, sharedSecret: SECRET }), {
    label: "test",
  });
  sensor = await startSensor({
    DATABASE_URL: t.url,
    VPNSIGHT_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "vpnsight-dir-")),
    VPNSIGHT_DIRECTORY_CHECK_MS: "1000",
  });
  await updateDirectorySettings(
    t.db,
    parseInput(DirectorySettingsUpdateSchema, directorySettingsFor(dc, "svc-vpnsight", PASSWORD)),
    { label: "test" },
  );
}, 180_000);
afterAll(async () => {
  await sensor?.stop();
  await dc?.stop();
  await t?.drop();
});

function radclient(packets: string) {
  const sent = spawnSync("radclient", ["-p", "1", "-r", "1", "-t", "2", `127.0.0.1:${sensor.port}`, "acct", SECRET], {
    input: packets,
    encoding: "utf8",
  });
  expect(sent.status, sent.stdout + sent.stderr).toBe(0);
}
const NOW = Math.floor(Date.now() / 1000);
const packet = (user: string, id: string, status: "Start" | "Stop", ip: string, at: number, extra = "") =>
  `User-Name = "${user.replace(/\\/g, "\\\\")}"\nAcct-Session-Id = "${id}"\nAcct-Status-Type = ${status}\nCalling-Station-Id = "${ip}"\nEvent-Timestamp = ${at}\n${extra}`;
const alertsOf = (identity: string) =>
  t.query<{ rule: string; severity: string; evidence: Record<string, unknown> }>(
    `SELECT rule, severity, evidence FROM "Alert" WHERE identity = $1 ORDER BY id`,
    [identity],
  );

describe.runIf(sambaInstalled())("the sensor resolves names through the directory", () => {
  it("CONTOSO\\alice, alice, alice@contoso.test and her mail address land on one identity after a sync", async () => {
    // Never synced: due at once. The detector runs it, the sensor then loads the names.
    await waitFor(async () => sensor.logs().includes("directory synced"), 30_000, "the scheduled sync ran");
    expect((await getDirectorySettings(t.db)).lastSync).toMatchObject({ error: null, full: true });
    await waitFor(
      async () => /"accounts":[1-9][^\n]*directory names loaded/.test(sensor.logs()),
      15_000,
      "the sensor loaded the names",
    );
    const names = ["CONTOSO\\alice", "alice", "ALICE@contoso.test", "alice.smith@contoso.test"];
    const packets = names
      .map(
        (n, i) =>
          `User-Name = "${n.replace(/\\/g, "\\\\")}"\nAcct-Status-Type = Start\nAcct-Session-Id = "DIR-${i}"\nCalling-Station-Id = "81.2.69.160"\n`,
      )
      .join("\n");
    radclient(packets);
    const rows = await t.query<{ identity: string; userName: string }>(
      `SELECT identity, "userName" FROM "VpnSession" WHERE "acctSessionId" LIKE 'DIR-%' ORDER BY "acctSessionId"`,
    );
    expect(rows.map((r) => r.identity)).toEqual(names.map(() => "alice@contoso.test"));
    expect(rows.map((r) => r.userName)).toEqual(names);
  }, 60_000);

  it("a session by the disabled account raises vpn-disabled-account, high, naming the state", async () => {
    radclient(packet("CONTOSO\\bob", "BOB-1", "Start", "81.2.69.142", Math.floor(Date.now() / 1000)));
    await waitFor(async () => (await alertsOf("bob@contoso.test")).length > 0, 20_000, "the alert on bob");
    const [alert] = await alertsOf("bob@contoso.test");
    expect(alert).toMatchObject({ rule: "vpn-disabled-account", severity: "high" });
    expect(alert!.evidence).toMatchObject({
      account: { userPrincipalName: "bob@contoso.test", state: "disabled" },
      severityRaised: null,
    });
    expect(alert!.evidence.summary).toMatch(/an account disabled in the directory since 20/);
  }, 60_000);

  it("a new-country alert for the nested Domain Admin is high, not medium, and says why", async () => {
    const history: string[] = [];
    for (let day = 35; day >= 2; day -= 3) {
      const start = NOW - day * 86_400;
      history.push(
        packet("CONTOSO\\carol", `C-${day}`, "Start", "81.2.69.142", start),
        packet("CONTOSO\\carol", `C-${day}`, "Stop", "81.2.69.142", start + 3600, "Acct-Session-Time = 3600\n"),
      );
    }
    radclient(history.join("\n"));
    radclient(packet("carol", "C-NEW", "Start", "91.198.174.192", NOW - 600)); // Netherlands
    await waitFor(async () => (await alertsOf("carol@contoso.test")).length > 0, 30_000, "the alert on carol");
    const alerts = await alertsOf("carol@contoso.test");
    expect(alerts.map((a) => `${a.rule}:${a.severity}`)).toEqual(["suspicious-vpn-connection:high"]);
    expect(alerts[0]!.evidence.severityRaised).toMatch(/^medium → high: sensitive account \(member of .*Domain Admins/);
    expect(alerts[0]!.evidence.summary).toMatch(/Sensitive account \(member of .*Domain Admins/);
  }, 60_000);
});
