-- Timeline rows that carry information (issue 22): an Interim-Update becomes a row only when it changes the public
-- IP, the assigned IP (and so the location), or is the first update after a gap that made the session stale;
-- otherwise it only updates its session. "lastPublicIp" is what the next Interim-Update is compared with;
-- "assignedIp" on a row shows the change. Existing rows are thinned the same way, a slice at a time, by the
-- detector (lib/sessions/thin-timeline.ts), which keeps its place in "MaintenanceJob".
ALTER TABLE "VpnSession" ADD COLUMN "lastPublicIp" TEXT;
ALTER TABLE "VpnSessionEvent" ADD COLUMN "assignedIp" TEXT;

CREATE TABLE "MaintenanceJob" (
    "name" TEXT NOT NULL,
    "cursor" TEXT NOT NULL DEFAULT '',
    "doneAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "MaintenanceJob_pkey" PRIMARY KEY ("name")
);
INSERT INTO "MaintenanceJob" ("name") VALUES ('thin-timeline');
