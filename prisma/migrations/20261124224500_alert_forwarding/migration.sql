-- CreateTable
CREATE TABLE "AlertForwarding" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "syslogEnabled" BOOLEAN NOT NULL DEFAULT false,
    "syslogHost" TEXT,
    "syslogPort" INTEGER,
    "syslogProtocol" TEXT NOT NULL DEFAULT 'udp',
    "webhookEnabled" BOOLEAN NOT NULL DEFAULT false,
    "webhookUrl" TEXT,
    "webhookSecretSealed" TEXT,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AlertForwarding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertDelivery" (
    "id" BIGSERIAL NOT NULL,
    "alertId" BIGINT NOT NULL,
    "target" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastError" TEXT,
    "deliveredAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AlertDelivery_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AlertDelivery_alertId_target_key" ON "AlertDelivery"("alertId", "target");

-- CreateIndex
CREATE INDEX "AlertDelivery_deliveredAt_nextAttemptAt_idx" ON "AlertDelivery"("deliveredAt", "nextAttemptAt");
