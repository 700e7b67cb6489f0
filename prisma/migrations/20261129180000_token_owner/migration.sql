-- An API token belongs to a user: it acts with the lower of its role and its owner's, stops when the owner is
-- disabled (or deleted), and may expire. Existing tokens go to the user who created them, else the first admin.
ALTER TABLE "ApiToken" ADD COLUMN "ownerId" UUID;
ALTER TABLE "ApiToken" ADD COLUMN "expiresAt" TIMESTAMPTZ(3);
UPDATE "ApiToken" t SET "ownerId" = u.id FROM "User" u WHERE t."createdBy" = 'user:' || u.email;
UPDATE "ApiToken" SET "ownerId" = (SELECT id FROM "User" WHERE role = 'admin' ORDER BY "createdAt", id LIMIT 1) WHERE "ownerId" IS NULL;
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"(id) ON DELETE CASCADE ON UPDATE CASCADE;
CREATE INDEX "ApiToken_ownerId_idx" ON "ApiToken"("ownerId");
