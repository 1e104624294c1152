"""The maintenance forecast reads sums kept against one fixed origin, so a long window costs plain sums.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03

Revision 0001 keeps the least-squares sums of each hourly row with t in minutes
from the row's own hour (sum_t, sum_tt, sum_tx). To fit a line over N hours the
forecast shifted every row to a common origin before adding it up: several
numeric multiplications and divisions per row, which over 168 hours of 800
series (134,400 rows) took about 400 ms. This revision adds the same sums with t
in minutes since the Unix epoch, as stored generated columns (exact numerics,
computed by PostgreSQL whenever the processor or ``rebuild_hourly`` writes a row,
so no writer changes), and the forecast adds them up as they are and shifts
the totals to ``at`` once per series. The result is the same to the last digit.

Adding the columns rewrites ``hourly_aggregates`` once (an ACCESS EXCLUSIVE lock
for as long as that takes: about a second per 100,000 rows; writers wait, or
fail their batch on ``lock_timeout`` and are retried).
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Minutes from the Unix epoch to the row's hour: a whole number (an hour starts on a minute), so an integer
# division keeps the sums' own scale (a plain division would give them 12 to 24 trailing zero decimals, which
# every addition then carries). Immutable, as a stored generated column requires (extract from an interval,
# not from a timestamptz).
HOUR_MINUTE = "div(extract(epoch FROM hour_start - timestamptz '1970-01-01 00:00:00+00'), 60)"

EPOCH_SUMS = f"""
ALTER TABLE telemetry.hourly_aggregates
  ADD COLUMN sum_t_epoch numeric GENERATED ALWAYS AS (sum_t + count * {HOUR_MINUTE}) STORED,
  ADD COLUMN sum_tt_epoch numeric
    GENERATED ALWAYS AS (sum_tt + 2 * {HOUR_MINUTE} * sum_t + {HOUR_MINUTE} * {HOUR_MINUTE} * count) STORED,
  ADD COLUMN sum_tx_epoch numeric GENERATED ALWAYS AS (sum_tx + {HOUR_MINUTE} * sum) STORED;
COMMENT ON COLUMN telemetry.hourly_aggregates.sum_t_epoch IS 'sum(n_w t_w), t in minutes since the Unix epoch';
COMMENT ON COLUMN telemetry.hourly_aggregates.sum_tt_epoch IS 'sum(n_w t_w^2), t in minutes since the Unix epoch';
COMMENT ON COLUMN telemetry.hourly_aggregates.sum_tx_epoch IS 'sum(t_w sum_w), t in minutes since the Unix epoch';
"""

# Per device and metric over the last `hours` hourly buckets (the current one included): the least-squares
# trend of the readings (t = each reading's minute window), the fitted level at `at`, and the hours until the
# fitted line crosses the metric's operating limit in the direction it is moving. With t0 = `at` in minutes
# since the epoch, the sums about `at` are: st = ET - n t0, stt = ETT - 2 t0 ET + t0^2 n, stx = ETX - t0 SX.
FORECAST = """
CREATE OR REPLACE FUNCTION telemetry.maintenance_forecast(hours integer, at timestamptz DEFAULT now())
RETURNS TABLE (device_id text, metric text, facility text, readings bigint, slope_per_hour numeric,
               level_now numeric, limit_side text, limit_value numeric, hours_to_limit numeric)
LANGUAGE sql STABLE AS $$
  WITH origin AS (
    SELECT extract(epoch FROM at - timestamptz '1970-01-01 00:00:00+00') / 60 AS t0
  ), sums AS (
    SELECT h.device_id, h.metric, max(h.facility) AS facility, sum(h.count) AS n, sum(h.sum) AS sx,
           sum(h.sum_t_epoch) AS et, sum(h.sum_tt_epoch) AS ett, sum(h.sum_tx_epoch) AS etx
    FROM telemetry.hourly_aggregates h
    WHERE h.hour_start > date_trunc('hour', at, 'UTC') - make_interval(hours => hours)
      AND h.hour_start <= at
    GROUP BY h.device_id, h.metric
  ), shifted AS (
    SELECT s.device_id, s.metric, s.facility, s.n, s.sx, s.et - s.n * o.t0 AS st,
           s.ett - 2 * o.t0 * s.et + o.t0 * o.t0 * s.n AS stt, s.etx - o.t0 * s.sx AS stx
    FROM sums s CROSS JOIN origin o
  ), fit AS (
    SELECT *, (n * stx - st * sx) / nullif(n * stt - st * st, 0) AS slope_per_minute FROM shifted
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
"""

def previous_forecast() -> str:
    """Revision 0001's forecast (each row shifted to `at` before the sums), read from it: for the downgrade."""
    path = Path(__file__).with_name("0001_analytics_schema.py")
    spec = importlib.util.spec_from_file_location("telemetry_schema_revision_0001", path)
    revision_0001 = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision_0001)
    insights = revision_0001.INSIGHTS
    start = insights.index("CREATE FUNCTION telemetry.maintenance_forecast")
    end = insights.index("$$;", start) + len("$$;")
    return insights[start:end].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def upgrade() -> None:
    op.execute("SET LOCAL ROLE telemetry_owner")
    op.execute(EPOCH_SUMS)
    op.execute(FORECAST)
    op.execute("RESET ROLE")


def downgrade() -> None:
    op.execute("SET LOCAL ROLE telemetry_owner")
    op.execute(previous_forecast())
    op.execute("ALTER TABLE telemetry.hourly_aggregates DROP COLUMN sum_t_epoch, DROP COLUMN sum_tt_epoch, "
               "DROP COLUMN sum_tx_epoch")
    op.execute("RESET ROLE")
