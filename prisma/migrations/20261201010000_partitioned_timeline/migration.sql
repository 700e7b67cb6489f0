-- Time-partitioned timeline (issue 22). "VpnSessionEvent" becomes partitioned by month of "eventTime", so retention
-- drops a month as one partition instead of deleting its rows. Partitions live in their own schema (out of the
-- table lists of the roles and the schema check); they are reached only through the parent.
--
-- A unique key on a partitioned table must include the partition key, and a record's time is not stable: without an
-- Event-Timestamp it is the receive time, so a retransmission has another. The per-record "eventKey" is therefore
-- gone. A retransmission is told apart by its session instead: the store decides under the session row's lock
-- (its upsert) whether a record becomes a timeline row ("timelineRow", returned to the same statement), and a Start
-- or Stop does so only once ("startInferred", "stopRecorded"). README: "How records stay idempotent".
CREATE SCHEMA "vpnsight_partitions";

-- NULL on sessions stored before: a closed one counts as having its Stop recorded.
ALTER TABLE "VpnSession" ADD COLUMN "timelineRow" BOOLEAN, ADD COLUMN "stopRecorded" BOOLEAN;

-- The existing table, if it holds rows, becomes the first partition, for everything before next month (attached, not
-- copied: a scan, no rewrite); retention deletes its rows in slices until all of them are past it, then drops it.
ALTER TABLE "VpnSessionEvent" RENAME TO "VpnSessionEvent_legacy";
ALTER TABLE "VpnSessionEvent_legacy" DROP CONSTRAINT "VpnSessionEvent_pkey";
ALTER TABLE "VpnSessionEvent_legacy" DROP COLUMN "eventKey";
-- A row names its session by the session's id (8 bytes) rather than its key (65): the key was a quarter of the row.
-- A row whose session is gone (retention deleted it) goes too.
ALTER TABLE "VpnSessionEvent_legacy" ADD COLUMN "sessionId" BIGINT;
UPDATE "VpnSessionEvent_legacy" e SET "sessionId" = s.id FROM "VpnSession" s WHERE s."sessionKey" = e."sessionKey";
DELETE FROM "VpnSessionEvent_legacy" WHERE "sessionId" IS NULL;
ALTER TABLE "VpnSessionEvent_legacy" ALTER COLUMN "sessionId" SET NOT NULL, DROP COLUMN "sessionKey";
ALTER TABLE "VpnSessionEvent_legacy" ALTER COLUMN "id" DROP DEFAULT;
ALTER INDEX "VpnSessionEvent_identity_eventTime_idx" RENAME TO "VpnSessionEvent_legacy_identity_eventTime_idx";
ALTER SEQUENCE "VpnSessionEvent_id_seq" OWNED BY NONE;
ALTER TABLE "VpnSessionEvent_legacy" SET SCHEMA "vpnsight_partitions";

CREATE TABLE "VpnSessionEvent" (
    "id" BIGINT NOT NULL DEFAULT nextval('"VpnSessionEvent_id_seq"'),
    "sessionId" BIGINT NOT NULL,
    "identity" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "eventTime" TIMESTAMPTZ(3) NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL,
    "publicIp" TEXT,
    "sessionTime" INTEGER,
    "inputBytes" BIGINT NOT NULL DEFAULT 0,
    "outputBytes" BIGINT NOT NULL DEFAULT 0,
    "terminateCause" TEXT,
    "sensorId" TEXT NOT NULL,
    "asn" INTEGER,
    "asOrganization" TEXT,
    "hosting" BOOLEAN,
    "assignedIp" TEXT,
    CONSTRAINT "VpnSessionEvent_pkey" PRIMARY KEY ("id", "eventTime")
) PARTITION BY RANGE ("eventTime");
ALTER SEQUENCE "VpnSessionEvent_id_seq" OWNED BY "VpnSessionEvent"."id";
CREATE INDEX "VpnSessionEvent_identity_eventTime_idx" ON "VpnSessionEvent"("identity", "eventTime");

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM "vpnsight_partitions"."VpnSessionEvent_legacy") THEN
    EXECUTE format(
      'ALTER TABLE "VpnSessionEvent" ATTACH PARTITION "vpnsight_partitions"."VpnSessionEvent_legacy" FOR VALUES FROM (MINVALUE) TO (%L)',
      date_trunc('month', now(), 'UTC') + interval '1 month');
  ELSE
    DROP TABLE "vpnsight_partitions"."VpnSessionEvent_legacy";
  END IF;
END $$;
-- Rows outside every month partition (a NAS clock far ahead, history before the oldest): moved into their month's
-- partition when it is created, deleted by retention like the rest.
CREATE TABLE "vpnsight_partitions"."VpnSessionEvent_default" PARTITION OF "VpnSessionEvent" DEFAULT;

-- The partitions and their bounds, read from the catalog (every bound is a month start, or MINVALUE).
CREATE FUNCTION "vpnsight_timeline_partitions"()
RETURNS TABLE (name TEXT, lower TIMESTAMPTZ, upper TIMESTAMPTZ, is_default BOOLEAN)
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
  SELECT c.relname::text,
         CASE WHEN b.m[1] IN ('MINVALUE', '') OR b.m IS NULL THEN NULL ELSE trim(both '''' from b.m[1])::timestamptz END,
         CASE WHEN b.m IS NULL THEN NULL ELSE trim(both '''' from b.m[2])::timestamptz END,
         pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    CROSS JOIN LATERAL (SELECT regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \((.*)\) TO \((.*)\)') AS m) b
   WHERE i.inhparent = '"VpnSessionEvent"'::regclass
$$;

-- Creates the monthly partitions from `months_back` months before this one to `months_ahead` after it that no
-- partition covers yet, moving any of their rows out of the default partition first. The detector runs it for this
-- month and the next ones; a bulk load of history (bench:scale) for the months back too. CREATE … LIKE + ATTACH rather than CREATE … PARTITION OF: attaching
-- takes a lock that lets the sensor go on inserting. Owned by the table owner (SECURITY DEFINER) so that the
-- sensor's role, which owns nothing, can run it from the detector.
CREATE FUNCTION "vpnsight_add_timeline_partitions"(months_back INTEGER, months_ahead INTEGER) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET "TimeZone" = 'UTC' SET lock_timeout = '2s' AS $$
DECLARE
  month_start TIMESTAMPTZ;
  month_end TIMESTAMPTZ;
  part TEXT;
  made INTEGER := 0;
BEGIN
  FOR i IN -LEAST(GREATEST(months_back, 0), 120)..LEAST(GREATEST(months_ahead, 0), 24) LOOP
    month_start := date_trunc('month', now()) + make_interval(months => i);
    month_end := month_start + interval '1 month';
    CONTINUE WHEN EXISTS (SELECT 1 FROM vpnsight_timeline_partitions() p
                           WHERE NOT p.is_default AND COALESCE(p.lower, '-infinity') < month_end
                             AND COALESCE(p.upper, 'infinity') > month_start);
    part := 'VpnSessionEvent_' || to_char(month_start, 'YYYYMM');
    EXECUTE format('CREATE TABLE vpnsight_partitions.%I (LIKE public."VpnSessionEvent" INCLUDING DEFAULTS)', part);
    EXECUTE format('WITH moved AS (DELETE FROM vpnsight_partitions."VpnSessionEvent_default" WHERE "eventTime" >= %L AND "eventTime" < %L RETURNING *)
                    INSERT INTO vpnsight_partitions.%I SELECT * FROM moved', month_start, month_end, part);
    EXECUTE format('ALTER TABLE public."VpnSessionEvent" ATTACH PARTITION vpnsight_partitions.%I FOR VALUES FROM (%L) TO (%L)',
                   part, month_start, month_end);
    made := made + 1;
  END LOOP;
  RETURN made;
END $$;

-- Drops every partition whose rows are all older than `before` (and deletes such rows from the default partition).
-- Refuses a cutoff less than a day old: it is retention, not a way to empty the table.
CREATE FUNCTION "vpnsight_drop_timeline_partitions"(before TIMESTAMPTZ) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET lock_timeout = '2s' AS $$
DECLARE
  p RECORD;
  dropped INTEGER := 0;
BEGIN
  IF before > now() - interval '1 day' THEN
    RAISE EXCEPTION 'retention cutoff % is less than a day old', before;
  END IF;
  FOR p IN SELECT * FROM vpnsight_timeline_partitions() t WHERE NOT t.is_default AND t.upper <= before LOOP
    EXECUTE format('DROP TABLE vpnsight_partitions.%I', p.name);
    dropped := dropped + 1;
  END LOOP;
  DELETE FROM vpnsight_partitions."VpnSessionEvent_default" WHERE "eventTime" < before;
  RETURN dropped;
END $$;

REVOKE ALL ON FUNCTION "vpnsight_add_timeline_partitions"(INTEGER, INTEGER) FROM PUBLIC;
REVOKE ALL ON FUNCTION "vpnsight_drop_timeline_partitions"(TIMESTAMPTZ) FROM PUBLIC;

SELECT "vpnsight_add_timeline_partitions"(0, 2);
