-- When the account's password expires (pwdLastSet + the domain's maxPwdAge; null: never), for the profile's account
-- state (issue 18).
ALTER TABLE "DirectoryAccount" ADD COLUMN "passwordExpiresAt" TIMESTAMPTZ(3);
