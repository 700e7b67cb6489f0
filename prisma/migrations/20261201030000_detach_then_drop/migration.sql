-- Retention in two steps, each its own transaction (bench:scale): dropping a month's partition in the transaction that
-- removed it from the timeline held the parent's lock while the files were unlinked (2.6 s for 2.4 GB, the sensor's
-- inserts queued behind it). Detaching is a catalog change; the detached table is then dropped while the sensor goes
-- on writing.
DROP FUNCTION "vpnsight_drop_timeline_partitions"(TIMESTAMPTZ);

-- Detaches every partition whose rows are all older than `before` (and deletes such rows from the default partition).
-- Refuses a cutoff less than a day old: it is retention, not a way to empty the table.
CREATE FUNCTION "vpnsight_detach_timeline_partitions"(before TIMESTAMPTZ) RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET lock_timeout = '2s' AS $$
DECLARE
  p RECORD;
  detached INTEGER := 0;
BEGIN
  IF before > now() - interval '1 day' THEN
    RAISE EXCEPTION 'retention cutoff % is less than a day old', before;
  END IF;
  FOR p IN SELECT * FROM vpnsight_timeline_partitions() t WHERE NOT t.is_default AND t.upper <= before LOOP
    EXECUTE format('ALTER TABLE public."VpnSessionEvent" DETACH PARTITION vpnsight_partitions.%I', p.name);
    detached := detached + 1;
  END LOOP;
  DELETE FROM vpnsight_partitions."VpnSessionEvent_default" WHERE "eventTime" < before;
  RETURN detached;
END $$;

-- Drops the timeline's detached partitions (tables of the partitions' schema that are no partition): only their own
-- lock, so the sensor's writes do not wait for the files to go.
CREATE FUNCTION "vpnsight_drop_detached_timeline_partitions"() RETURNS INTEGER
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET lock_timeout = '2s' AS $$
DECLARE
  t RECORD;
  dropped INTEGER := 0;
BEGIN
  FOR t IN SELECT c.relname FROM pg_class c
            WHERE c.relnamespace = 'vpnsight_partitions'::regnamespace AND c.relkind = 'r' AND NOT c.relispartition
              AND c.relname LIKE 'VpnSessionEvent%' LOOP
    EXECUTE format('DROP TABLE vpnsight_partitions.%I', t.relname);
    dropped := dropped + 1;
  END LOOP;
  RETURN dropped;
END $$;

REVOKE ALL ON FUNCTION "vpnsight_detach_timeline_partitions"(TIMESTAMPTZ) FROM PUBLIC;
REVOKE ALL ON FUNCTION "vpnsight_drop_detached_timeline_partitions"() FROM PUBLIC;
