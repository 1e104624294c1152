"""The analytics schema: minute aggregates, hourly rollups, anomalies, roles, retention, insights.

Revision ID: 0001
Revises:
Create Date: 2025-06-01

Tables (schema ``telemetry``, owned by the NOLOGIN role telemetry_owner):

- ``minute_aggregates``: one row per device, metric and one-minute window: count,
  exact sum and sum of squares, min, max (numeric, in the metric's units), the
  device sequence numbers already counted (``applied_sequences``, ranges as
  "0-41,43-60") and an optimistic ``version``. Range-partitioned by day on
  ``window_start`` (native declarative partitioning).
- ``hourly_aggregates``: the rollup the insights read, kept by the processor in
  the same transaction as the minute rows (so it is exact too). Besides the
  window statistics it holds the sufficient statistics of a least-squares fit
  over the hour's minute windows, t in whole minutes from the hour's start:
  sum_t = sum(n_w t_w), sum_tt = sum(n_w t_w^2), sum_tx = sum(t_w sum_w). They
  add across hours after a shift, so a trend over N hours reads N rows per
  series, exactly as a fit over every minute would.
- ``anomalies``: one row per flagged reading and metric, partitioned by day on
  ``reading_at``; the key is a function of the reading (a retry inserts nothing).
- ``settings`` (retention) and ``metric_limits`` (the operating limits the
  forecast projects towards), written by the migration function.

Partitions: ``ensure_partitions(days)`` creates the daily partitions a batch
needs (the processor calls it for days it has not seen; SECURITY DEFINER, so
the writer role needs no DDL right) and refuses days older than the retention;
``apply_retention()`` drops partitions older than ``minute_retention_days`` and
rollup rows older than ``hourly_retention_days``.

Roles: telemetry_writer (the processor, through RDS Proxy with IAM
authentication: SELECT/INSERT/UPDATE on the aggregate tables, INSERT on
anomalies, EXECUTE on the two partition functions; no DDL, no other schema)
and telemetry_analyst (read-only: SELECT and the insight functions, every
transaction read-only). Both get ``rds_iam`` where it exists (Aurora) and
server-side timeouts, so no client can hold a lock or hang a session.
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ROLES = """
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'telemetry_owner') THEN
    CREATE ROLE telemetry_owner NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'telemetry_writer') THEN
    CREATE ROLE telemetry_writer LOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'telemetry_analyst') THEN
    CREATE ROLE telemetry_analyst LOGIN;
  END IF;
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_iam') THEN
    GRANT rds_iam TO telemetry_writer, telemetry_analyst;
  END IF;
END
$$;
GRANT telemetry_owner TO CURRENT_USER;
ALTER ROLE telemetry_writer SET statement_timeout = '15s';
ALTER ROLE telemetry_writer SET lock_timeout = '3s';
ALTER ROLE telemetry_writer SET idle_in_transaction_session_timeout = '60s';
ALTER ROLE telemetry_analyst SET statement_timeout = '60s';
ALTER ROLE telemetry_analyst SET default_transaction_read_only = on;
ALTER SCHEMA telemetry OWNER TO telemetry_owner;
ALTER TABLE telemetry.alembic_version OWNER TO telemetry_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
"""

TABLES = """
CREATE TABLE telemetry.settings (
  name text PRIMARY KEY,
  value text NOT NULL
);
INSERT INTO telemetry.settings (name, value) VALUES
  ('minute_retention_days', '90'), ('hourly_retention_days', '730');

CREATE TABLE telemetry.metric_limits (
  metric text PRIMARY KEY,
  minimum numeric NOT NULL,
  maximum numeric NOT NULL,
  CHECK (minimum < maximum)
);

CREATE TABLE telemetry.minute_aggregates (
  device_id text NOT NULL,
  metric text NOT NULL,
  window_start timestamptz NOT NULL,
  facility text NOT NULL,
  device_type text NOT NULL,
  count bigint NOT NULL CHECK (count > 0),
  sum numeric NOT NULL,
  sum_squares numeric NOT NULL,
  min numeric NOT NULL,
  max numeric NOT NULL,
  applied_sequences text NOT NULL,
  version bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, metric, window_start)
) PARTITION BY RANGE (window_start);
CREATE INDEX minute_aggregates_facility_window ON telemetry.minute_aggregates (facility, window_start);

CREATE TABLE telemetry.hourly_aggregates (
  device_id text NOT NULL,
  metric text NOT NULL,
  hour_start timestamptz NOT NULL,
  facility text NOT NULL,
  device_type text NOT NULL,
  count bigint NOT NULL,
  sum numeric NOT NULL,
  sum_squares numeric NOT NULL,
  min numeric NOT NULL,
  max numeric NOT NULL,
  sum_t numeric NOT NULL,
  sum_tt numeric NOT NULL,
  sum_tx numeric NOT NULL,
  last_window timestamptz NOT NULL,
  PRIMARY KEY (device_id, metric, hour_start)
);
CREATE INDEX hourly_aggregates_hour ON telemetry.hourly_aggregates (hour_start);
CREATE INDEX hourly_aggregates_facility_hour ON telemetry.hourly_aggregates (facility, hour_start);

CREATE TABLE telemetry.anomalies (
  device_id text NOT NULL,
  metric text NOT NULL,
  reading_at timestamptz NOT NULL,
  sequence bigint NOT NULL,
  facility text NOT NULL,
  device_type text NOT NULL,
  value numeric NOT NULL,
  reasons text[] NOT NULL,
  limit_min numeric NOT NULL,
  limit_max numeric NOT NULL,
  zscore double precision,
  baseline_mean double precision,
  baseline_stddev double precision,
  baseline_samples bigint,
  detection text NOT NULL,
  shard_id text NOT NULL,
  kinesis_sequence_number text NOT NULL,
  detected_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, metric, sequence, reading_at)
) PARTITION BY RANGE (reading_at);
CREATE INDEX anomalies_facility_reading ON telemetry.anomalies (facility, reading_at);
"""

PARTITIONS = """
CREATE FUNCTION telemetry.ensure_partitions(days date[]) RETURNS date[]
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  day date;
  parent text;
  child text;
  keep integer;
  accepted date[] := '{}';
BEGIN
  SELECT value::integer INTO STRICT keep FROM telemetry.settings WHERE name = 'minute_retention_days';
  FOREACH day IN ARRAY days LOOP
    CONTINUE WHEN day < (now() AT TIME ZONE 'UTC')::date - keep;
    accepted := accepted || day;
    FOREACH parent IN ARRAY ARRAY['minute_aggregates', 'anomalies'] LOOP
      child := parent || '_' || to_char(day, 'YYYYMMDD');
      CONTINUE WHEN to_regclass('telemetry.' || child) IS NOT NULL;
      PERFORM pg_advisory_xact_lock(hashtext('telemetry.partitions'));
      CONTINUE WHEN to_regclass('telemetry.' || child) IS NOT NULL;
      EXECUTE format('CREATE TABLE telemetry.%I PARTITION OF telemetry.%I FOR VALUES FROM (%L) TO (%L)',
                     child, parent, day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
    END LOOP;
  END LOOP;
  RETURN accepted;
END
$$;

CREATE FUNCTION telemetry.apply_retention() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  minute_days integer;
  hourly_days integer;
  partition regclass;
  dropped integer := 0;
BEGIN
  SELECT value::integer INTO STRICT minute_days FROM telemetry.settings WHERE name = 'minute_retention_days';
  SELECT value::integer INTO STRICT hourly_days FROM telemetry.settings WHERE name = 'hourly_retention_days';
  PERFORM pg_advisory_xact_lock(hashtext('telemetry.partitions'));
  FOR partition IN
    SELECT i.inhrelid::regclass FROM pg_inherits i
    WHERE i.inhparent IN ('telemetry.minute_aggregates'::regclass, 'telemetry.anomalies'::regclass)
      AND to_date(right(i.inhrelid::regclass::text, 8), 'YYYYMMDD')
          < (now() AT TIME ZONE 'UTC')::date - minute_days
  LOOP
    EXECUTE format('DROP TABLE %s', partition);
    dropped := dropped + 1;
  END LOOP;
  DELETE FROM telemetry.hourly_aggregates WHERE hour_start < now() - make_interval(days => hourly_days);
  RETURN dropped;
END
$$;

CREATE FUNCTION telemetry.rebuild_hourly(from_hour timestamptz, to_hour timestamptz) RETURNS bigint
LANGUAGE sql AS $$
  WITH rolled AS (
    INSERT INTO telemetry.hourly_aggregates AS h
      (device_id, metric, hour_start, facility, device_type, count, sum, sum_squares, min, max,
       sum_t, sum_tt, sum_tx, last_window)
    SELECT device_id, metric, date_trunc('hour', window_start, 'UTC'), min(facility), min(device_type),
           sum(count), sum(sum), sum(sum_squares), min(min), max(max),
           sum(count * m), sum(count * m * m), sum(m * sum), max(window_start)
    FROM (SELECT *, (extract(epoch FROM window_start - date_trunc('hour', window_start, 'UTC')) / 60)::integer AS m
          FROM telemetry.minute_aggregates
          WHERE window_start >= from_hour AND window_start < to_hour) minutes
    GROUP BY device_id, metric, date_trunc('hour', window_start, 'UTC')
    ON CONFLICT (device_id, metric, hour_start) DO UPDATE SET
      count = excluded.count, sum = excluded.sum, sum_squares = excluded.sum_squares, min = excluded.min,
      max = excluded.max, sum_t = excluded.sum_t, sum_tt = excluded.sum_tt, sum_tx = excluded.sum_tx,
      last_window = excluded.last_window, facility = excluded.facility, device_type = excluded.device_type
    RETURNING 1
  )
  SELECT count(*) FROM rolled
$$;
"""

INSIGHTS = """
-- Per device and metric over the last `hours` hourly buckets (the current one included): the least-squares
-- trend of the readings (t = each reading's minute window), the fitted level at `at`, and the hours until
-- the fitted line crosses the metric's operating limit in the direction it is moving.
CREATE FUNCTION telemetry.maintenance_forecast(hours integer, at timestamptz DEFAULT now())
RETURNS TABLE (device_id text, metric text, facility text, readings bigint, slope_per_hour numeric,
               level_now numeric, limit_side text, limit_value numeric, hours_to_limit numeric)
LANGUAGE sql STABLE AS $$
  WITH shifted AS (
    SELECT h.device_id, h.metric, h.facility, h.count AS n, h.sum AS sx,
           h.sum_t + h.count * o.off AS st,
           h.sum_tt + 2 * o.off * h.sum_t + o.off * o.off * h.count AS stt,
           h.sum_tx + o.off * h.sum AS stx
    FROM telemetry.hourly_aggregates h
    CROSS JOIN LATERAL (SELECT (extract(epoch FROM h.hour_start - at) / 60)::numeric AS off) o
    WHERE h.hour_start > date_trunc('hour', at, 'UTC') - make_interval(hours => hours)
      AND h.hour_start <= at
  ), sums AS (
    SELECT device_id, metric, max(facility) AS facility, sum(n) AS n, sum(sx) AS sx, sum(st) AS st,
           sum(stt) AS stt, sum(stx) AS stx
    FROM shifted GROUP BY device_id, metric
  ), fit AS (
    SELECT *, (n * stx - st * sx) / nullif(n * stt - st * st, 0) AS slope_per_minute FROM sums
  ), line AS (
    SELECT *, (sx - coalesce(slope_per_minute, 0) * st) / n AS level FROM fit
  )
  SELECT l.device_id, l.metric, l.facility, l.n::bigint, round(l.slope_per_minute * 60, 9), round(l.level, 6),
         CASE WHEN l.slope_per_minute > 0 THEN 'max' WHEN l.slope_per_minute < 0 THEN 'min' END,
         CASE WHEN l.slope_per_minute > 0 THEN m.maximum WHEN l.slope_per_minute < 0 THEN m.minimum END,
         round(CASE
           WHEN l.slope_per_minute > 0 THEN greatest(m.maximum - l.level, 0) / (l.slope_per_minute * 60)
           WHEN l.slope_per_minute < 0 THEN greatest(l.level - m.minimum, 0) / (-l.slope_per_minute * 60)
         END, 3)
  FROM line l LEFT JOIN telemetry.metric_limits m ON m.metric = l.metric
  ORDER BY 9 NULLS LAST, 1, 2
$$;

-- Per facility and hour: readings (metric values), anomalous readings, and their ratio.
CREATE FUNCTION telemetry.anomaly_rate(hours integer, at timestamptz DEFAULT now())
RETURNS TABLE (facility text, hour_start timestamptz, readings bigint, anomalies bigint, rate numeric)
LANGUAGE sql STABLE AS $$
  WITH readings AS (
    SELECT h.facility, h.hour_start, sum(h.count)::bigint AS readings
    FROM telemetry.hourly_aggregates h
    WHERE h.hour_start > date_trunc('hour', at, 'UTC') - make_interval(hours => hours) AND h.hour_start <= at
    GROUP BY 1, 2
  ), flagged AS (
    SELECT a.facility, date_trunc('hour', a.reading_at, 'UTC') AS hour_start, count(*) AS anomalies
    FROM telemetry.anomalies a
    WHERE a.reading_at >= date_trunc('hour', at, 'UTC') - make_interval(hours => hours - 1) AND a.reading_at <= at
    GROUP BY 1, 2
  )
  SELECT r.facility, r.hour_start, r.readings, coalesce(f.anomalies, 0),
         round(coalesce(f.anomalies, 0)::numeric / r.readings, 6)
  FROM readings r LEFT JOIN flagged f ON f.facility = r.facility AND f.hour_start = r.hour_start
  ORDER BY 1, 2
$$;

-- Devices that reported in the last `lookback_days` but not in the last `minutes` minutes.
CREATE FUNCTION telemetry.silent_devices(minutes integer, at timestamptz DEFAULT now(), lookback_days integer DEFAULT 7)
RETURNS TABLE (device_id text, facility text, device_type text, last_reading_window timestamptz, silent_minutes numeric)
LANGUAGE sql STABLE AS $$
  SELECT h.device_id, (array_agg(h.facility ORDER BY h.last_window DESC))[1],
         (array_agg(h.device_type ORDER BY h.last_window DESC))[1], max(h.last_window),
         round((extract(epoch FROM at - max(h.last_window)) / 60)::numeric - 1, 1)
  FROM telemetry.hourly_aggregates h
  WHERE h.hour_start >= at - make_interval(days => lookback_days) AND h.hour_start <= at
  GROUP BY h.device_id
  HAVING max(h.last_window) + interval '1 minute' <= at - make_interval(mins => minutes)
  ORDER BY 4, 1
$$;

-- Per facility and hour: readings (metric values) received, and their rate per second.
CREATE FUNCTION telemetry.throughput(hours integer, at timestamptz DEFAULT now())
RETURNS TABLE (facility text, hour_start timestamptz, devices bigint, readings bigint, readings_per_second numeric)
LANGUAGE sql STABLE AS $$
  SELECT h.facility, h.hour_start, count(DISTINCT h.device_id), sum(h.count)::bigint,
         round(sum(h.count) / 3600.0, 3)
  FROM telemetry.hourly_aggregates h
  WHERE h.hour_start > date_trunc('hour', at, 'UTC') - make_interval(hours => hours) AND h.hour_start <= at
  GROUP BY 1, 2
  ORDER BY 1, 2
$$;
"""

GRANTS = """
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA telemetry FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE telemetry_owner IN SCHEMA telemetry REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
GRANT USAGE ON SCHEMA telemetry TO telemetry_writer, telemetry_analyst;
GRANT SELECT, INSERT, UPDATE ON telemetry.minute_aggregates, telemetry.hourly_aggregates TO telemetry_writer;
GRANT INSERT ON telemetry.anomalies TO telemetry_writer;
GRANT EXECUTE ON FUNCTION telemetry.ensure_partitions(date[]), telemetry.apply_retention() TO telemetry_writer;
GRANT SELECT ON ALL TABLES IN SCHEMA telemetry TO telemetry_analyst;
ALTER DEFAULT PRIVILEGES FOR ROLE telemetry_owner IN SCHEMA telemetry GRANT SELECT ON TABLES TO telemetry_analyst;
GRANT EXECUTE ON FUNCTION telemetry.maintenance_forecast(integer, timestamptz),
  telemetry.anomaly_rate(integer, timestamptz), telemetry.silent_devices(integer, timestamptz, integer),
  telemetry.throughput(integer, timestamptz) TO telemetry_analyst;
"""


def upgrade() -> None:
    op.execute(ROLES)
    op.execute("SET LOCAL ROLE telemetry_owner")
    for block in (TABLES, PARTITIONS, INSIGHTS, GRANTS):
        op.execute(block)
    op.execute("RESET ROLE")


def downgrade() -> None:
    op.execute("DROP SCHEMA telemetry CASCADE")
