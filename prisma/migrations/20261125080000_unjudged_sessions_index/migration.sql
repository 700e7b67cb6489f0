-- The detector looks for sessions it has not judged yet, oldest first. An index on
-- (detectedAt, startedAt) held an entry for every session ever stored, and every row version
-- (the detector's own update, each later Stop) added another. A partial index holds only the
-- unjudged ones: a few thousand entries instead of millions, and judged sessions' new row
-- versions add none to it.
DROP INDEX "VpnSession_detectedAt_startedAt_idx";
CREATE INDEX "VpnSession_unjudged_idx" ON "VpnSession" ("startedAt") WHERE "detectedAt" IS NULL;
