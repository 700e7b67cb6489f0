-- The NAS table's "vendor detected": the vendor the sensor read from a source's last accepted records.
ALTER TABLE "NasTraffic" ADD COLUMN "vendor" TEXT;
