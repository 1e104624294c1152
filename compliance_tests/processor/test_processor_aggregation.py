"""Property tests: the aggregation maths against the statistics module (exact rational arithmetic)."""

from __future__ import annotations

import statistics
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st
from telemetry_processor.aggregation import (
    AggregateKey,
    WindowStats,
    group_readings,
    window_start,
)
from telemetry_processor.model import Reading, StreamPosition

NINE_PLACES = Decimal("1e-9")

# Readings in micro-units over the whole schema range (e.g. -273.15 degC .. 10^9 units).
micros = st.integers(min_value=-273_150_000, max_value=10**15)
samples = st.lists(micros, min_size=1, max_size=200)


def exact(values: list[int]) -> list[Fraction]:
    return [Fraction(v, 10**6) for v in values]


def rounded(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        NINE_PLACES, rounding=ROUND_HALF_EVEN
    )


@given(samples)
def test_summary_matches_the_reference_computation(values):
    stats = WindowStats.of(values)
    reference = exact(values)
    assert stats.count == len(values)
    assert Fraction(stats.total, 10**6) == sum(reference)
    assert Fraction(stats.total_squares, 10**12) == sum(x * x for x in reference)
    assert (Fraction(stats.minimum, 10**6), Fraction(stats.maximum, 10**6)) == (min(reference), max(reference))
    assert stats.mean() == rounded(statistics.mean(reference))
    reference_stddev = Decimal(str(statistics.pstdev([Decimal(v) / 10**6 for v in values])))
    assert abs(stats.stddev() - reference_stddev) <= NINE_PLACES


@given(samples, samples)
def test_merging_two_summaries_equals_summarising_the_union(first, second):
    merged = WindowStats.of(first).merge(WindowStats.of(second))
    assert merged == WindowStats.of(first + second)
    assert merged == WindowStats.of(second).merge(WindowStats.of(first))


@given(samples, samples, samples)
def test_merge_is_associative_so_batches_combine_in_any_grouping(a, b, c):
    left = WindowStats.of(a).merge(WindowStats.of(b)).merge(WindowStats.of(c))
    right = WindowStats.of(a).merge(WindowStats.of(b).merge(WindowStats.of(c)))
    assert left == right == WindowStats.of(a + b + c)


@given(samples)
def test_merging_with_nothing_changes_nothing(values):
    stats = WindowStats.of(values)
    assert stats.merge(WindowStats()) == stats == WindowStats().merge(stats)


@given(st.lists(st.floats(min_value=1e5, max_value=1e6), min_size=2, max_size=50), st.floats(1e-6, 1e-3))
def test_variance_of_large_nearly_equal_readings_loses_nothing_to_cancellation(levels, noise):
    """Where sum(x^2)/n - mean^2 in floating point collapses, the integer form is exact."""
    values = [round((levels[0] + (i % 3) * noise) * 10**6) for i in range(len(levels))]
    reference = Decimal(str(statistics.pstdev([Decimal(v) / 10**6 for v in values])))
    assert abs(WindowStats.of(values).stddev() - reference) <= NINE_PLACES


@given(st.integers(min_value=0, max_value=4 * 10**15))
def test_windows_are_the_enclosing_utc_minute(timestamp_us):
    start = window_start(timestamp_us)
    assert start % 60 == 0
    assert start * 10**6 <= timestamp_us < (start + 60) * 10**6


def _reading(device: str, sequence: int, timestamp_us: int, metric_micros: dict) -> Reading:
    position = StreamPosition("shardId-0", str(sequence), device, 0.0)
    return Reading(position, device, "plant-a", "press", timestamp_us, sequence, metric_micros, "{}")


def test_grouping_keeps_a_repeated_device_sequence_once_and_splits_by_window_and_metric():
    base = 1_748_779_200_000_000  # 12:00:00Z
    readings = [
        _reading("d1", 1, base + 1_000_000, {"temperature_c": 10, "pressure_kpa": 20}),
        _reading("d1", 1, base + 1_000_000, {"temperature_c": 99}),  # repeat: first wins
        _reading("d1", 2, base + 59_999_999, {"temperature_c": 30}),
        _reading("d1", 3, base + 60_000_000, {"temperature_c": 40}),  # next minute
        _reading("d2", 1, base, {"temperature_c": 50}),
    ]
    groups = group_readings(readings)
    minute = base // 10**6
    assert {key: group.values for key, group in groups.items()} == {
        AggregateKey("d1", "temperature_c", minute): {1: 10, 2: 30},
        AggregateKey("d1", "pressure_kpa", minute): {1: 20},
        AggregateKey("d1", "temperature_c", minute + 60): {3: 40},
        AggregateKey("d2", "temperature_c", minute): {1: 50},
    }


@given(st.dictionaries(st.integers(0, 10**6), micros, min_size=1, max_size=60), st.data())
def test_excluding_applied_sequences_then_merging_rebuilds_the_whole_window(by_sequence, data):
    """What the DynamoDB writer does on a retry: stored part + the not-yet-applied rest = everything once."""
    applied = data.draw(st.sets(st.sampled_from(sorted(by_sequence))))
    group = group_readings([_reading("d", seq, 0, {"temperature_c": v}) for seq, v in by_sequence.items()])
    contribution = next(iter(group.values()))
    stored = WindowStats.of(by_sequence[seq] for seq in applied)
    fresh, fresh_sequences = contribution.stats_excluding(frozenset(applied))
    assert set(fresh_sequences) == set(by_sequence) - applied
    assert stored.merge(fresh) == WindowStats.of(by_sequence.values())
