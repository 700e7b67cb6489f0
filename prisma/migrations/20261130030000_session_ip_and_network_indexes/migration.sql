-- The pivots (issue 21): sessions by public IP (/ip/{address}, the profile's "also used by N other identities") and by
-- network (/network/{asn}). Without them each of those read every session (the profile took 1.4 s at 1 M sessions).
-- Neither column changes after a session's first record, so Interim-Updates stay in-place (HOT) updates.
CREATE INDEX "VpnSession_publicIp_idx" ON "VpnSession"("publicIp");
CREATE INDEX "VpnSession_asn_idx" ON "VpnSession"("asn");
