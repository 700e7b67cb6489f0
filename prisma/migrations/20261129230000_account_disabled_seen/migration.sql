-- Disabled no later than this: the account's whenChanged when a sync first saw it disabled (AD keeps no time for the
-- disable itself): vpn-disabled-account judges a session by the
-- state the directory had at the session's time.
ALTER TABLE "DirectoryAccount" ADD COLUMN "disabledSeenAt" TIMESTAMPTZ(3);
