-- CreateTable
CREATE TABLE "Identity" (
    "identity" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "lastSeenAt" TIMESTAMPTZ(3) NOT NULL,
    "lastPublicIp" TEXT,
    "lastCountryCode" TEXT,
    "lastCountry" TEXT,
    "lastCity" TEXT,
    "lastLocationKind" TEXT,

    CONSTRAINT "Identity_pkey" PRIMARY KEY ("identity")
);

-- CreateIndex
CREATE INDEX "Identity_lastSeenAt_idx" ON "Identity"("lastSeenAt");

-- Backfill from sessions stored before this table existed.
INSERT INTO "Identity" ("identity", "firstSeenAt", "lastSeenAt", "lastPublicIp", "lastCountryCode", "lastCountry", "lastCity", "lastLocationKind")
SELECT DISTINCT ON (identity) identity,
       min("startedAt") OVER (PARTITION BY identity), "lastUpdateAt", "publicIp", "countryCode", country, city, "locationKind"
FROM "VpnSession"
ORDER BY identity, "lastUpdateAt" DESC;

-- Timeline filters and the profile's per-identity queries.
CREATE INDEX "VpnSession_identity_lastUpdateAt_idx" ON "VpnSession"("identity", "lastUpdateAt");
