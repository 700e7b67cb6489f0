-- The forest's UPN suffixes (its DNS name and uPNSuffixes), as the last sync read them: sAMAccountName@suffix is an
-- alternate UPN the sensor resolves (issue 18).
ALTER TABLE "DirectorySettings" ADD COLUMN "upnSuffixes" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
