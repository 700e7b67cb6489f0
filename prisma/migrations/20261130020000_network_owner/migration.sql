-- The network owner of each public IP (issue 21): autonomous system, organization, hosting provider. Nullable, no
-- default: adding them rewrites nothing.
ALTER TABLE "VpnSession" ADD COLUMN "asn" INTEGER, ADD COLUMN "asOrganization" TEXT, ADD COLUMN "hosting" BOOLEAN;
ALTER TABLE "VpnSessionEvent" ADD COLUMN "asn" INTEGER, ADD COLUMN "asOrganization" TEXT, ADD COLUMN "hosting" BOOLEAN;
