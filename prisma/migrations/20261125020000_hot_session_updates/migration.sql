-- Most accounting records are Interim-Updates: they change a session's counters and lastUpdateAt.
-- With no index on a column they change, and free space left on each page, PostgreSQL updates the
-- row in place (a HOT update): no new entry in any of the table's indexes. Measured with
-- `npm run bench:store`: about 20 % less database CPU per record (bench/README.md).

-- The profile's "sessions active since" queries use (identity, startedAt) and filter on lastUpdateAt;
-- the stale sweep (status = 'open', few rows) uses (nasKey, status).
DROP INDEX "VpnSession_identity_lastUpdateAt_idx";
DROP INDEX "VpnSession_status_lastUpdateAt_idx";

-- Room on each page for the updated versions of its rows.
ALTER TABLE "VpnSession" SET (fillfactor = 85);

-- No query looks events up by session alone (the timeline reaches them by identity and time).
DROP INDEX "VpnSessionEvent_sessionKey_idx";
