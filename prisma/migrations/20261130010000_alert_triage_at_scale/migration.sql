-- Triage at scale (issue 20): every rule of one incident on the alert, an assignee, and per-rule exclusions.
ALTER TABLE "Alert" ADD COLUMN "rules" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "Alert" ADD COLUMN "assigneeId" UUID;
UPDATE "Alert" SET "rules" = ARRAY[rule];
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_assigneeId_fkey" FOREIGN KEY ("assigneeId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "Alert_assigneeId_idx" ON "Alert"("assigneeId");

CREATE TABLE "DetectionExclusion" (
    "id" UUID NOT NULL,
    "rule" TEXT,
    "identity" TEXT,
    "ipBlock" TEXT,
    "countryCode" TEXT,
    "nas" TEXT,
    "reason" TEXT NOT NULL,
    "expiresAt" TIMESTAMPTZ(3),
    "fromAlertId" BIGINT,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    "suppressed" INTEGER NOT NULL DEFAULT 0,
    "lastSuppressedAt" TIMESTAMPTZ(3),
    CONSTRAINT "DetectionExclusion_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "DetectionExclusion_createdAt_idx" ON "DetectionExclusion"("createdAt");
