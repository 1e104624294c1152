"""Aggregates and anomalies in Aurora PostgreSQL, applied exactly once per reading.

Tables (schema ``telemetry``; program/functions/migrator/telemetry_schema
creates them): ``minute_aggregates`` (device, metric, one-minute window: count,
sum, sum of squares, min, max, the device sequence numbers already counted as
ranges, ``version``), ``hourly_aggregates`` (the rollup the insights read) and
``anomalies``.

One transaction per batch, three round trips:

1. ``SELECT ... FOR UPDATE`` of the batch's existing minute rows, in key order
   (so two writers never deadlock);
2. in Python, as for every other store: leave out readings whose sequence
   number the row has already counted, merge the rest
   (WindowContribution.stats_excluding, WindowStats.merge);
3. pipelined: one ``INSERT ... ON CONFLICT DO UPDATE`` of the changed minute
   rows (each conditional on the version it read: a row another writer inserted
   meanwhile makes the transaction start again), one upsert adding exactly the
   fresh readings to their hourly rows, one ``INSERT ... ON CONFLICT DO NOTHING``
   of the anomalies (keyed by the reading), then COMMIT.

Counted sequences and sums change in the same commit, so a re-delivered batch,
a partial retry with other boundaries or a duplicate device message never
counts a reading twice, and a failure anywhere (database unreachable, a
connection reset by a failover, a lock or statement timeout) rolls everything
back: every record the transaction carried is failed, and its retry applies it
once. Every statement is parameterised (arrays through ``unnest``, sent in
binary: ``%b``), its numbers as integers in micro-units that PostgreSQL scales
exactly (``s * 0.000001``; the lock reads them back as ``sum * 1000000``).

Daily partitions are created through ``telemetry.ensure_partitions`` for days
this container has not seen yet (tomorrow's included, ahead of midnight);
readings older than the retention are refused by it and not stored here (the
raw archive keeps them). ``telemetry.apply_retention`` runs at most once an
hour per container, after a successful batch; its failure fails no record.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import psycopg

from telemetry_processor.aggregation import (
    AggregateKey,
    WindowContribution,
    WindowStats,
)
from telemetry_processor.database import ConnectionSource, DatabaseUnavailable, first_line
from telemetry_processor.detection import Anomaly
from telemetry_processor.model import StreamPosition
from telemetry_processor.sequence_ranges import SequenceRanges
from telemetry_processor.sinks import SinkOutcome

SINK = "analytics"
RACE_RETRIES = 3
RETENTION_INTERVAL_SECONDS = 3600
LIMITS_AND_BASELINE = "limits+baseline"
LIMITS_ONLY = "limits-only"

# One primary-key lookup per key (LATERAL: an index probe of the one partition the window falls in, however
# large the table grows), locked in the order of the keys handed in (sorted: writers never deadlock).
LOCK_MINUTES = """
SELECT m.device_id, m.metric, k.window_start, m.count, m.sum * 1000000, m.sum_squares * 1000000000000,
       m.min * 1000000, m.max * 1000000, m.applied_sequences, m.version
FROM unnest(%b::text[], %b::text[], %b::bigint[]) WITH ORDINALITY AS k(device_id, metric, window_start, position)
CROSS JOIN LATERAL (
  SELECT * FROM telemetry.minute_aggregates a
  WHERE a.device_id = k.device_id AND a.metric = k.metric AND a.window_start = to_timestamp(k.window_start)
  FOR UPDATE
) m
ORDER BY k.position
"""

UPSERT_MINUTES = """
INSERT INTO telemetry.minute_aggregates AS a
  (device_id, metric, window_start, facility, device_type, count, sum, sum_squares, min, max,
   applied_sequences, version)
SELECT d, m, to_timestamp(w), f, t, c, s * 0.000001, q * 0.000000000001, lo * 0.000001, hi * 0.000001, ap, v
FROM unnest(%b::text[], %b::text[], %b::bigint[], %b::text[], %b::text[], %b::bigint[], %b::numeric[],
            %b::numeric[], %b::numeric[], %b::numeric[], %b::text[], %b::bigint[])
  AS u(d, m, w, f, t, c, s, q, lo, hi, ap, v)
ON CONFLICT (device_id, metric, window_start) DO UPDATE SET
  facility = excluded.facility, device_type = excluded.device_type, count = excluded.count, sum = excluded.sum,
  sum_squares = excluded.sum_squares, min = excluded.min, max = excluded.max,
  applied_sequences = excluded.applied_sequences, version = excluded.version, updated_at = now()
WHERE a.version = excluded.version - 1
RETURNING 1
"""

ADD_TO_HOURS = """
INSERT INTO telemetry.hourly_aggregates AS h
  (device_id, metric, hour_start, facility, device_type, count, sum, sum_squares, min, max,
   sum_t, sum_tt, sum_tx, last_window)
SELECT d, m, to_timestamp(hs), f, t, c, s * 0.000001, q * 0.000000000001, lo * 0.000001, hi * 0.000001, st, stt,
       stx * 0.000001, to_timestamp(lw)
FROM unnest(%b::text[], %b::text[], %b::bigint[], %b::text[], %b::text[], %b::bigint[], %b::numeric[],
            %b::numeric[], %b::numeric[], %b::numeric[], %b::numeric[], %b::numeric[], %b::numeric[],
            %b::bigint[])
  AS u(d, m, hs, f, t, c, s, q, lo, hi, st, stt, stx, lw)
ON CONFLICT (device_id, metric, hour_start) DO UPDATE SET
  facility = excluded.facility, device_type = excluded.device_type, count = h.count + excluded.count,
  sum = h.sum + excluded.sum, sum_squares = h.sum_squares + excluded.sum_squares,
  min = least(h.min, excluded.min), max = greatest(h.max, excluded.max), sum_t = h.sum_t + excluded.sum_t,
  sum_tt = h.sum_tt + excluded.sum_tt, sum_tx = h.sum_tx + excluded.sum_tx,
  last_window = greatest(h.last_window, excluded.last_window)
"""

INSERT_ANOMALIES = """
INSERT INTO telemetry.anomalies
  (device_id, metric, reading_at, sequence, facility, device_type, value, reasons, limit_min, limit_max,
   zscore, baseline_mean, baseline_stddev, baseline_samples, detection, shard_id, kinesis_sequence_number)
SELECT d, m, timestamptz 'epoch' + r * interval '1 microsecond', q, f, t, v, string_to_array(rs, ','), lo, hi,
       z, bm, bs, bn, %b, sh, ks
FROM unnest(%b::text[], %b::text[], %b::bigint[], %b::bigint[], %b::text[], %b::text[], %b::numeric[],
            %b::text[], %b::numeric[], %b::numeric[], %b::float8[], %b::float8[], %b::float8[], %b::bigint[],
            %b::text[], %b::text[])
  AS u(d, m, r, q, f, t, v, rs, lo, hi, z, bm, bs, bn, sh, ks)
ON CONFLICT DO NOTHING
"""


class _LostRace(Exception):
    """Another writer inserted a row this transaction meant to insert: start again."""


@dataclass(slots=True)
class _HourDelta:
    """The fresh readings of one device, metric and hour, in micro-units (t: minute of the hour)."""

    facility: str
    device_type: str
    count: int = 0
    total: int = 0
    total_squares: int = 0
    minimum: int | None = None
    maximum: int | None = None
    sum_t: int = 0
    sum_tt: int = 0
    sum_tx: int = 0  # micro-units x minutes
    last_window: int = 0

    def add(self, stats: WindowStats, minute: int, window: int) -> None:
        self.count += stats.count
        self.total += stats.total
        self.total_squares += stats.total_squares
        self.minimum = stats.minimum if self.minimum is None else min(self.minimum, stats.minimum)
        self.maximum = stats.maximum if self.maximum is None else max(self.maximum, stats.maximum)
        self.sum_t += stats.count * minute
        self.sum_tt += stats.count * minute * minute
        self.sum_tx += stats.total * minute
        self.last_window = max(self.last_window, window)


_NONE_APPLIED = SequenceRanges()  # read only: union() returns a new object


def _columns(rows: list[tuple], width: int) -> list[list]:
    """Rows -> one list per column (the statements' unnest arrays)."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


def _day(epoch_seconds: int) -> date:
    return datetime.fromtimestamp(epoch_seconds, UTC).date()


class AnalyticsWriter:
    def __init__(self, connections: ConnectionSource, clock: Callable[[], float] = time.time):
        self._connections = connections
        self._clock = clock
        self._accepted_days: set[date] = set()
        self._refused_days: set[date] = set()
        self._retention_due = 0.0

    def write(self, groups: dict[AggregateKey, WindowContribution], anomalies: list[Anomaly],
              baseline_used: bool) -> SinkOutcome:
        outcome = SinkOutcome(SINK)
        if not groups and not anomalies:
            return outcome
        for _attempt in range(RACE_RETRIES):
            try:
                connection = self._connections.get()
                with connection.transaction():
                    outcome.written = self._apply(connection, groups, anomalies, baseline_used, outcome)
                break
            except _LostRace:
                continue
            except psycopg.errors.CheckViolation:  # "no partition for row": a partition dropped under our cache
                self._accepted_days.clear()
                continue
            except DatabaseUnavailable as error:
                return self._failed(outcome, groups, anomalies, str(error))
            except psycopg.Error as error:  # rolled back; a broken connection is replaced next time
                self._connections.discard_if_broken()
                return self._failed(outcome, groups, anomalies, f"{type(error).__name__}: {first_line(error)}")
        else:
            return self._failed(outcome, groups, anomalies, f"lost a write race {RACE_RETRIES} times")
        self._maybe_apply_retention(outcome)
        return outcome

    def _failed(self, outcome: SinkOutcome, groups, anomalies, error: str) -> SinkOutcome:
        positions: set[StreamPosition] = set()
        for contribution in groups.values():
            positions.update(contribution.record_positions())
        positions.update(anomaly.reading.position for anomaly in anomalies)
        outcome.written = 0
        outcome.fail(positions, f"PostgreSQL: {error}")
        return outcome

    def _apply(self, connection, groups, anomalies, baseline_used: bool, outcome: SinkOutcome) -> int:
        accepted = self._prepare_partitions(
            connection, {_day(k.window_start) for k in groups} | {_day(a.reading.timestamp_us // 1_000_000)
                                                                   for a in anomalies})
        kept = {k: c for k, c in groups.items() if _day(k.window_start) in accepted}
        flagged = [a for a in anomalies if _day(a.reading.timestamp_us // 1_000_000) in accepted]
        outcome.skipped = len(groups) - len(kept) + len(anomalies) - len(flagged)
        stored = self._lock(connection, kept) if kept else {}
        minutes, hours = self._merge(kept, stored)
        with connection.pipeline():
            upserted = connection.execute(UPSERT_MINUTES, minutes) if minutes[0] else None
            if hours[0]:
                connection.execute(ADD_TO_HOURS, hours)
            if flagged:
                connection.execute(INSERT_ANOMALIES, self._anomaly_rows(flagged, baseline_used))
        written = len(upserted.fetchall()) if upserted is not None else 0
        if written != len(minutes[0]):
            raise _LostRace()
        return written + len(flagged)

    def _prepare_partitions(self, connection, days: set[date]) -> set[date]:
        today = datetime.fromtimestamp(self._clock(), UTC).date()
        wanted = days | {today, today + timedelta(days=1)}
        unknown = sorted(wanted - self._accepted_days - self._refused_days)
        if unknown:
            [accepted] = connection.execute("SELECT telemetry.ensure_partitions(%s::date[])", [unknown]).fetchone()
            self._accepted_days.update(accepted)
            self._refused_days.update(set(unknown) - set(accepted))
        return days & self._accepted_days

    def _lock(self, connection, groups) -> dict[tuple[str, str, int], tuple]:
        keys = sorted(groups)
        rows = connection.execute(
            LOCK_MINUTES, [[k.device_id for k in keys], [k.metric for k in keys], [k.window_start for k in keys]]
        ).fetchall()
        return {(row[0], row[1], row[2]): row[3:] for row in rows}

    def _merge(self, groups, stored) -> tuple[list[list], list[list]]:
        """The minute rows to write and the hourly deltas of the fresh readings, as column arrays.

        Values go to the statements in micro-units (integers; SQL scales them exactly).
        """
        minutes: list[tuple] = []
        deltas: dict[tuple[str, str, int], _HourDelta] = {}
        for key in sorted(groups):
            contribution = groups[key]
            device, metric, window = key
            row = stored.get(key)
            if row is None:  # a new window: every reading is fresh (the common case, and the cheap one)
                values = contribution.values
                fresh_stats, fresh = WindowStats.of(values.values()), list(values)
                merged, applied, version = fresh_stats, _NONE_APPLIED, 0
            else:
                count, total, squares, low, high, applied_text, version = row
                applied = SequenceRanges.parse(applied_text)
                fresh_stats, fresh = contribution.stats_excluding(applied)
                if not fresh:
                    continue  # every reading already counted: a retry
                merged = WindowStats(count, int(total), int(squares), int(low), int(high)).merge(fresh_stats)
            minutes.append((device, metric, window, contribution.facility, contribution.device_type, merged.count,
                            merged.total, merged.total_squares, merged.minimum, merged.maximum,
                            str(applied.union(fresh)), version + 1))
            hour = window // 3600 * 3600
            delta = deltas.get((device, metric, hour))
            if delta is None:
                delta = deltas[(device, metric, hour)] = _HourDelta(contribution.facility, contribution.device_type)
            delta.add(fresh_stats, (window - hour) // 60, window)
        hours = [(device, metric, hour, d.facility, d.device_type, d.count, d.total, d.total_squares, d.minimum,
                  d.maximum, d.sum_t, d.sum_tt, d.sum_tx, d.last_window)
                 for (device, metric, hour), d in deltas.items()]
        return _columns(minutes, 12), _columns(hours, 14)

    @staticmethod
    def _anomaly_rows(anomalies: list[Anomaly], baseline_used: bool) -> list:
        columns: list[list] = [[] for _ in range(16)]
        for anomaly in anomalies:
            reading, baseline = anomaly.reading, anomaly.baseline
            values = (
                reading.device_id, anomaly.metric, reading.timestamp_us, reading.sequence, reading.facility,
                reading.device_type, Decimal(f"{anomaly.value:.6f}"), ",".join(anomaly.reasons),
                anomaly.limits.minimum, anomaly.limits.maximum, anomaly.zscore,
                baseline.mean if baseline is not None else None,
                baseline.variance ** 0.5 if baseline is not None else None,
                baseline.samples if baseline is not None else None,
                reading.position.shard_id, reading.position.sequence_number,
            )
            for column, value in zip(columns, values, strict=True):
                column.append(value)
        return [LIMITS_AND_BASELINE if baseline_used else LIMITS_ONLY, *columns]

    def _maybe_apply_retention(self, outcome: SinkOutcome) -> None:
        now = self._clock()
        if now < self._retention_due:
            return
        self._retention_due = now + RETENTION_INTERVAL_SECONDS
        try:
            connection = self._connections.get()
            with connection.transaction():
                [dropped] = connection.execute("SELECT telemetry.apply_retention()").fetchone()
            if dropped:
                self._accepted_days.clear()
        except (DatabaseUnavailable, psycopg.Error) as error:  # retried in an hour; no record depends on it
            outcome.errors.append(f"retention not applied: {type(error).__name__}: {first_line(error)}")
