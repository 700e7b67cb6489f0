-- When a user's password last changed (by the user, an admin or the CLI): sessions signed in
-- before it are no longer accepted.
ALTER TABLE "User" ADD COLUMN "passwordChangedAt" TIMESTAMPTZ(3);
