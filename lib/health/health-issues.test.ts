// The health issues against a real PostgreSQL: through the detector's pg and the portal's Prisma alike.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.ts";
import { prismaSql } from "../db/prisma.ts";
import { listHealthIssues, purgeNasTraffic, reconcileHealthIssues } from "./health-issues.ts";
import { listNasSources } from "./nas-sources.ts";
import { updateForwardingSettings, ForwardingSettingsSchema } from "../alerts/forwarding-settings.ts";
import { parseInput } from "../errors.ts";
import { updateHealthSettings, HealthSettingsSchema } from "./health-settings.ts";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t.drop();
});
beforeEach(async () => {
  await t.query(`TRUNCATE "NasTraffic", "SensorStatus", "HealthIssue", "HealthDelivery", "RadiusClient"`);
});

const traffic = (source: string, outcome: string, count: number, at: Date, sensorId = "s1", vendor?: string) =>
  t.query(
    `INSERT INTO "NasTraffic" (day, "sensorId", source, outcome, count, "lastAt", vendor)
     VALUES (($5::timestamptz AT TIME ZONE 'UTC')::date, $1, $2, $3, $4, $5, $6)`,
    [sensorId, source, outcome, count, at, vendor ?? null],
  );
const open = async () =>
  (await listHealthIssues(t.pool, { status: "open" })).map((h) => `${h.kind} ${h.subject}`).sort();

describe("health issues", () => {
  it("open when a check finds one, close when it no longer does, once per kind and subject", async () => {
    const now = new Date();
    await traffic("10.0.0.5", "bad_authenticator", 7, new Date(now.getTime() - 60_000));
    await traffic("10.0.0.5", "bad_authenticator", 2, new Date(now.getTime() - 30_000), "s2");
    await traffic("10.0.0.6", "accepted", 50, new Date(now.getTime() - 60_000));
    expect(await reconcileHealthIssues(t.pool, now)).toMatchObject({ opened: 1, closed: 0 });
    const [issue] = await listHealthIssues(t.pool, { status: "open" });
    expect(issue).toMatchObject({ kind: "ingestion-failure", subject: "10.0.0.5", status: "open", closedAt: null });
    expect(issue!.message).toContain("9 requests dropped"); // both sensors counted
    // Again, and from the portal's Prisma at the same time: still one.
    await Promise.all([reconcileHealthIssues(t.pool, now), reconcileHealthIssues(prismaSql(t.db), now)]);
    expect(await open()).toEqual(["ingestion-failure 10.0.0.5"]);

    // The NAS now sends with the right secret.
    const later = new Date(now.getTime() + 5_000);
    await traffic("10.0.0.5", "accepted", 1, later);
    expect(await reconcileHealthIssues(prismaSql(t.db), later)).toMatchObject({ opened: 0, closed: 1 });
    expect(await open()).toEqual([]);
    const [closed] = await listHealthIssues(t.pool, { status: "closed" });
    expect(closed).toMatchObject({ id: issue!.id, status: "closed", closedAt: later });
  });

  it("sensors, spool, set-aside records and the directory, from what the sensors and the sync wrote", async () => {
    const now = new Date();
    await t.query(
      `INSERT INTO "SensorStatus" ("sensorId", "lastHeartbeat", "startedAt", listening, "spoolDepth", "spoolSince", "setAside")
       VALUES ('gone', $1, $1, '', 0, NULL, 0), ('spooling', $2, $2, '', 4, $3, 2)`,
      [new Date(now.getTime() - 120_000), now, new Date(now.getTime() - 600_000)],
    );
    await t.query(
      `INSERT INTO "DirectorySettings" (id, enabled, urls, "lastSync", "updatedAt") VALUES (1, true, ARRAY['ldaps://dc1'], $1, now())`,
      [
        JSON.stringify({
          at: now.toISOString(),
          durationMs: 5,
          added: 0,
          changed: 0,
          removed: 0,
          error: "bind failed",
        }),
      ],
    );
    await reconcileHealthIssues(t.pool, now);
    expect(await open()).toEqual([
      "directory-sync-failing directory",
      "records-set-aside spooling",
      "sensor-not-reporting gone",
      "spool-in-use spooling",
    ]);
    const spool = (await listHealthIssues(t.pool, { status: "open", kind: "spool-in-use" }))[0]!;
    expect(spool.openedAt).toEqual(new Date(now.getTime() - 600_000)); // when the spool began, not when seen
    await t.query(`UPDATE "SensorStatus" SET "spoolDepth" = 0, "spoolSince" = NULL, "lastHeartbeat" = now()`);
    await t.query(`UPDATE "DirectorySettings" SET "lastSync" = jsonb_set("lastSync", '{error}', 'null')`);
    await reconcileHealthIssues(t.pool);
    expect(await open()).toEqual(["records-set-aside spooling"]);
  });

  it("a silent client follows the threshold the admin sets", async () => {
    await traffic("10.0.0.7", "accepted", 3, new Date(Date.now() - 30 * 60_000));
    await reconcileHealthIssues(t.pool);
    expect(await open()).toEqual([]);
    await updateHealthSettings(t.db, parseInput(HealthSettingsSchema, { silentClientMinutes: 20 }), { label: "test" });
    await reconcileHealthIssues(t.pool);
    expect(await open()).toEqual(["client-silent 10.0.0.7"]);
    const audit = await t.query<{ action: string }>(`SELECT action FROM "AuditEntry" WHERE action LIKE 'health%'`);
    expect(audit).toEqual([{ action: "health.settings.update" }]);
  });

  it("queues each opening and closing for every forwarding target", async () => {
    await updateForwardingSettings(
      t.db,
      parseInput(ForwardingSettingsSchema, {
        syslogEnabled: true,
        syslogHost: "192.0.2.1",
        syslogPort: 514,
        syslogProtocol: "udp",
        webhookEnabled: false,
      }),
      { label: "test" },
    );
    const now = new Date();
    await traffic("10.0.0.8", "bad_message_authenticator", 1, now);
    await reconcileHealthIssues(t.pool, now);
    await traffic("10.0.0.8", "accepted", 1, new Date(now.getTime() + 1000));
    await reconcileHealthIssues(t.pool, new Date(now.getTime() + 1000));
    const queued = await t.query<{ event: string; target: string }>(
      `SELECT event, target FROM "HealthDelivery" ORDER BY id`,
    );
    expect(queued).toEqual([
      { event: "opened", target: "syslog" },
      { event: "closed", target: "syslog" },
    ]);
  });

  it("the NAS table sums 7 days by source and reason, and names the client", async () => {
    await t.query(
      `INSERT INTO "RadiusClient" (id, name, address, "updatedAt") VALUES (gen_random_uuid(), 'asa-1', '10.1.0.0/16', now())`,
    );
    const now = new Date();
    await traffic("10.1.2.3", "accepted", 10, new Date(now.getTime() - 86_400_000), "s1", "other");
    await traffic("10.1.2.3", "accepted", 5, now, "s1", "cisco_asa");
    await traffic("10.1.2.3", "bad_authenticator", 2, new Date(now.getTime() - 60_000), "s2");
    await traffic("203.0.113.9", "unknown_client", 4, now);
    await traffic("10.9.9.9", "accepted", 1, new Date(now.getTime() - 9 * 86_400_000));
    const rows = await listNasSources(prismaSql(t.db));
    expect(rows.map((r) => r.source).sort()).toEqual(["10.1.2.3", "203.0.113.9"]);
    expect(rows.find((r) => r.source === "10.1.2.3")).toMatchObject({
      client: "asa-1",
      vendor: "cisco_asa", // the latest
      accepted: 15,
      dropped: { bad_authenticator: 2 },
      lastAcceptedAt: now,
    });
    expect(rows.find((r) => r.source === "203.0.113.9")).toMatchObject({
      client: null,
      dropped: { unknown_client: 4 },
    });
    await t.query(`INSERT INTO "NasTraffic" VALUES (current_date - 40, 's1', '10.9.9.8', 'accepted', 1, now())`);
    await purgeNasTraffic(t.pool);
    expect(await t.query(`SELECT 1 FROM "NasTraffic" WHERE source = '10.9.9.8'`)).toEqual([]);
  });
});
