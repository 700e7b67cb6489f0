-- Where a merged identity went (an alias, a domain mapping, a directory account, a renamed UPN): its old address
-- redirects there, for pages, API clients and links already forwarded to a SIEM (issue 20).
CREATE TABLE "IdentityRedirect" (
    "fromIdentity" TEXT NOT NULL,
    "toIdentity" TEXT NOT NULL,
    "movedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    CONSTRAINT "IdentityRedirect_pkey" PRIMARY KEY ("fromIdentity")
);
