-- Active Directory connection (issue 18): one row, the bind password sealed like the RADIUS secrets.
CREATE TABLE "DirectorySettings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "urls" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "startTls" BOOLEAN NOT NULL DEFAULT false,
    "bindUser" TEXT NOT NULL DEFAULT '',
    "bindPasswordSealed" TEXT,
    "baseDn" TEXT NOT NULL DEFAULT '',
    "userFilter" TEXT,
    "caCertificate" TEXT,
    "skipTlsVerify" BOOLEAN NOT NULL DEFAULT false,
    "syncIntervalMinutes" INTEGER NOT NULL DEFAULT 15,
    "lastSync" JSONB,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "DirectorySettings_pkey" PRIMARY KEY ("id")
);
