-- CreateEnum
CREATE TYPE "AlertStatus" AS ENUM ('new', 'in_progress', 'resolved', 'dismissed');

-- AlterTable
ALTER TABLE "VpnSession" ADD COLUMN "detectedAt" TIMESTAMPTZ(3);

-- Sessions stored before detections existed count as already looked at
-- (use `npx vpnsight detect --since DATE` to judge history).
UPDATE "VpnSession" SET "detectedAt" = CURRENT_TIMESTAMP;

-- CreateTable
CREATE TABLE "Alert" (
    "id" BIGSERIAL NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "status" "AlertStatus" NOT NULL DEFAULT 'new',
    "identity" TEXT NOT NULL,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "evidence" JSONB NOT NULL,
    "occurrences" INTEGER NOT NULL DEFAULT 1,

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertNote" (
    "id" BIGSERIAL NOT NULL,
    "alertId" BIGINT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "fromStatus" "AlertStatus" NOT NULL,
    "toStatus" "AlertStatus" NOT NULL,
    "comment" TEXT,

    CONSTRAINT "AlertNote_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "VpnSession_detectedAt_startedAt_idx" ON "VpnSession"("detectedAt", "startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Alert_dedupeKey_key" ON "Alert"("dedupeKey");

-- CreateIndex
CREATE INDEX "Alert_identity_createdAt_idx" ON "Alert"("identity", "createdAt");

-- CreateIndex
CREATE INDEX "Alert_status_createdAt_idx" ON "Alert"("status", "createdAt");

-- CreateIndex
CREATE INDEX "AlertNote_alertId_idx" ON "AlertNote"("alertId");
