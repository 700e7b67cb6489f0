-- Identity is updated by every accounting record (last seen, last location). An index on
-- lastSeenAt made each of those updates a new row version elsewhere plus new index entries, and a
-- busy sensor grew the 20,000-row table to about 200 MB between vacuums. Without it, with free
-- space on each page, the updates are HOT (pruned in place): the table stays a few MB, and the
-- identities list's default sort (last seen) reads it whole in a few ms instead of using an index.
DROP INDEX "Identity_lastSeenAt_idx";
ALTER TABLE "Identity" SET (fillfactor = 50);

-- Sorting the identities list by its 30-day counts groups every session of the last 30 days by
-- identity and location: with those columns in the startedAt index it is an index-only scan
-- (no heap fetch per session). None of them change after the first record with a public IP,
-- so Interim-Updates stay HOT.
DROP INDEX "VpnSession_startedAt_idx";
CREATE INDEX "VpnSession_startedAt_idx" ON "VpnSession" ("startedAt") INCLUDE (identity, "locationKind", "countryCode", city);
