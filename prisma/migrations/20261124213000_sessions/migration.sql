-- CreateEnum
CREATE TYPE "SessionStatus" AS ENUM ('open', 'closed', 'stale');

-- CreateTable
CREATE TABLE "VpnSession" (
    "id" BIGSERIAL NOT NULL,
    "sessionKey" TEXT NOT NULL,
    "identity" TEXT NOT NULL,
    "userName" TEXT NOT NULL,
    "vendor" "Vendor" NOT NULL,
    "nasKey" TEXT NOT NULL,
    "nasIp" TEXT,
    "nasIdentifier" TEXT,
    "sourceIp" TEXT NOT NULL,
    "acctSessionId" TEXT NOT NULL,
    "publicIp" TEXT,
    "assignedIp" TEXT,
    "locationKind" TEXT,
    "countryCode" TEXT,
    "country" TEXT,
    "region" TEXT,
    "city" TEXT,
    "latitude" DOUBLE PRECISION,
    "longitude" DOUBLE PRECISION,
    "clientName" TEXT,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "startInferred" BOOLEAN NOT NULL DEFAULT false,
    "lastUpdateAt" TIMESTAMPTZ(3) NOT NULL,
    "endedAt" TIMESTAMPTZ(3),
    "durationSeconds" INTEGER,
    "inputBytes" BIGINT NOT NULL DEFAULT 0,
    "outputBytes" BIGINT NOT NULL DEFAULT 0,
    "terminateCause" TEXT,
    "interimInterval" INTEGER,
    "status" "SessionStatus" NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "VpnSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VpnSessionEvent" (
    "id" BIGSERIAL NOT NULL,
    "eventKey" TEXT NOT NULL,
    "sessionKey" TEXT NOT NULL,
    "identity" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "eventTime" TIMESTAMPTZ(3) NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL,
    "publicIp" TEXT,
    "sessionTime" INTEGER,
    "inputBytes" BIGINT NOT NULL DEFAULT 0,
    "outputBytes" BIGINT NOT NULL DEFAULT 0,
    "terminateCause" TEXT,
    "sensorId" TEXT NOT NULL,

    CONSTRAINT "VpnSessionEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DomainMapping" (
    "netbiosDomain" TEXT NOT NULL,
    "upnSuffix" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DomainMapping_pkey" PRIMARY KEY ("netbiosDomain")
);

-- CreateTable
CREATE TABLE "IdentityAlias" (
    "alias" TEXT NOT NULL,
    "identity" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IdentityAlias_pkey" PRIMARY KEY ("alias")
);

-- CreateTable
CREATE TABLE "SensorStatus" (
    "sensorId" TEXT NOT NULL,
    "lastHeartbeat" TIMESTAMPTZ(3) NOT NULL,
    "lastPacketAt" TIMESTAMPTZ(3),
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "accepted" BIGINT NOT NULL DEFAULT 0,
    "dropped" JSONB NOT NULL DEFAULT '{}',
    "spoolDepth" INTEGER NOT NULL DEFAULT 0,
    "listening" TEXT NOT NULL,

    CONSTRAINT "SensorStatus_pkey" PRIMARY KEY ("sensorId")
);

-- CreateIndex
CREATE UNIQUE INDEX "VpnSession_sessionKey_key" ON "VpnSession"("sessionKey");

-- CreateIndex
CREATE INDEX "VpnSession_identity_startedAt_idx" ON "VpnSession"("identity", "startedAt");

-- CreateIndex
CREATE INDEX "VpnSession_nasKey_status_idx" ON "VpnSession"("nasKey", "status");

-- CreateIndex
CREATE INDEX "VpnSession_status_lastUpdateAt_idx" ON "VpnSession"("status", "lastUpdateAt");

-- CreateIndex
CREATE INDEX "VpnSession_startedAt_idx" ON "VpnSession"("startedAt");

-- CreateIndex
CREATE UNIQUE INDEX "VpnSessionEvent_eventKey_key" ON "VpnSessionEvent"("eventKey");

-- CreateIndex
CREATE INDEX "VpnSessionEvent_identity_eventTime_idx" ON "VpnSessionEvent"("identity", "eventTime");

-- CreateIndex
CREATE INDEX "VpnSessionEvent_sessionKey_idx" ON "VpnSessionEvent"("sessionKey");

-- CreateIndex
CREATE INDEX "IdentityAlias_identity_idx" ON "IdentityAlias"("identity");
