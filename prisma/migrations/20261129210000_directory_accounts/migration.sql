-- Accounts read from Active Directory (issue 18): keyed by objectGUID, never deleted by the sync (goneAt instead).
CREATE TABLE "DirectoryAccount" (
    "objectGuid" TEXT NOT NULL,
    "dn" TEXT NOT NULL,
    "userPrincipalName" TEXT,
    "samAccountName" TEXT NOT NULL,
    "netbiosDomain" TEXT,
    "mail" TEXT,
    "proxyAddresses" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "displayName" TEXT,
    "givenName" TEXT,
    "surname" TEXT,
    "title" TEXT,
    "department" TEXT,
    "company" TEXT,
    "managerDn" TEXT,
    "userAccountControl" INTEGER NOT NULL DEFAULT 0,
    "accountExpires" TIMESTAMPTZ(3),
    "lockoutTime" TIMESTAMPTZ(3),
    "pwdLastSet" TIMESTAMPTZ(3),
    "whenCreated" TIMESTAMPTZ(3),
    "adminCount" INTEGER NOT NULL DEFAULT 0,
    "sensitiveGroups" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "goneAt" TIMESTAMPTZ(3),
    "syncedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "DirectoryAccount_pkey" PRIMARY KEY ("objectGuid")
);
CREATE INDEX "DirectoryAccount_userPrincipalName_idx" ON "DirectoryAccount"("userPrincipalName");
CREATE INDEX "DirectoryAccount_samAccountName_idx" ON "DirectoryAccount"("samAccountName");
