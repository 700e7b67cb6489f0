-- Health issues (issue 21): per-source request counts from the sensors, the sensors' spool and set-aside state,
-- and the issues the health checks open and close, with their forwarding queue.
ALTER TABLE "VpnSettings" ADD COLUMN "silentClientMinutes" INTEGER NOT NULL DEFAULT 240;

ALTER TABLE "SensorStatus" ADD COLUMN "spoolSince" TIMESTAMPTZ(3),
  ADD COLUMN "setAside" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "addresses" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];

CREATE TABLE "NasTraffic" (
    "day" DATE NOT NULL,
    "sensorId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "count" BIGINT NOT NULL,
    "lastAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "NasTraffic_pkey" PRIMARY KEY ("day","sensorId","source","outcome")
);

CREATE TABLE "HealthIssue" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "message" TEXT NOT NULL,
    "openedAt" TIMESTAMPTZ(3) NOT NULL,
    "closedAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "HealthIssue_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "HealthIssue_status_openedAt_idx" ON "HealthIssue"("status", "openedAt");
-- One open issue per kind and subject, also when several sensors' detectors run the checks at once.
CREATE UNIQUE INDEX "HealthIssue_open_key" ON "HealthIssue"("kind", "subject") WHERE "status" = 'open';

CREATE TABLE "HealthDelivery" (
    "id" BIGSERIAL NOT NULL,
    "issueId" BIGINT NOT NULL,
    "event" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "deliveredAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "HealthDelivery_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "HealthDelivery_issueId_event_target_key" ON "HealthDelivery"("issueId", "event", "target");
CREATE INDEX "HealthDelivery_deliveredAt_nextAttemptAt_idx" ON "HealthDelivery"("deliveredAt", "nextAttemptAt");
