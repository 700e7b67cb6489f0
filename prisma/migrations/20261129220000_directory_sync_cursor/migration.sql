-- Incremental directory sync (uSNChanged since the last read, a full sweep at least daily) and the admin's own
-- sensitive groups and accounts (issue 18).
ALTER TABLE "DirectorySettings"
    ADD COLUMN "syncCursor" JSONB,
    ADD COLUMN "extraSensitiveGroups" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    ADD COLUMN "sensitiveAccounts" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "DirectoryAccount" ADD COLUMN "markedSensitive" BOOLEAN NOT NULL DEFAULT false;
