-- Room on each page of "VpnSession" for a new version of every row on it (issue 22, bench:timeline-disk): sessions
-- that started together get their Interim-Updates together, often in one statement, and a version that does not fit
-- on its page is not a HOT update — it moves, and every one of the table's eight indexes gets a new entry. With 85 %
-- the sessions took 2.6 KB an identity-day (1.4 KB heap for a 0.4 KB row, 1.2 KB of indexes); half-full pages cost
-- less than the indexes' growth did. Applies to pages written from now on.
ALTER TABLE "VpnSession" SET (fillfactor = 50);
