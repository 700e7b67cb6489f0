-- RadSec (RFC 6614): the CA that signs clients' certificates, a RADIUS client's certificate binding,
-- and what each sensor reports of its listener, of Status-Server probes and of dropped requests.
ALTER TABLE "VpnSettings" ADD COLUMN "radsecClientCa" TEXT;
ALTER TABLE "RadiusClient" ADD COLUMN "certificate" TEXT;
ALTER TABLE "SensorStatus" ADD COLUMN "statusServer" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "SensorStatus" ADD COLUMN "radsec" JSONB;
-- "lastPacketAt" now means the last accepted request; unauthenticated datagrams only move this one.
ALTER TABLE "SensorStatus" ADD COLUMN "lastDroppedAt" TIMESTAMPTZ(3);
