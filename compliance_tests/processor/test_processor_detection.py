"""Anomaly rules and the EWMA baseline maths, without I/O."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st
from telemetry_processor.baseline import Baseline
from telemetry_processor.config import MetricLimits
from telemetry_processor.detection import AnomalyDetector
from telemetry_processor.model import Reading, StreamPosition

LIMITS = {
    "temperature_c": MetricLimits(Decimal(-20), Decimal("120.5")),
    "pressure_kpa": MetricLimits(Decimal(80), Decimal(400)),
    "vibration_mm_s": MetricLimits(Decimal(0), Decimal(25)),
    "production_count": MetricLimits(Decimal(0), Decimal(500)),
}


def reading(sequence: int, **values: float) -> Reading:
    micros = {metric: round(value * 10**6) for metric, value in values.items()}
    return Reading(StreamPosition("s", str(sequence), "d", 0.0), "d", "f", "t", 0, sequence, micros, "{}")


def ewma_reference(values: list[float], alpha: float) -> tuple[Fraction, Fraction]:
    """EWMA mean and variance by their definition, in exact fractions."""
    a = Fraction(alpha)
    mean, variance = Fraction(values[0]), Fraction(0)
    for x in map(Fraction, values[1:]):
        diff = x - mean
        mean = mean + a * diff
        variance = (1 - a) * (variance + a * diff * diff)
    return mean, variance


@given(st.lists(st.floats(-1000, 1000), min_size=1, max_size=100), st.floats(0.01, 0.5))
def test_baseline_update_follows_the_ewma_definition(values, alpha):
    state = Baseline()
    for sequence, value in enumerate(values):
        assert state.update(value, sequence, alpha)
    mean, variance = ewma_reference(values, alpha)
    assert state.samples == len(values)
    assert math.isclose(state.mean, float(mean), rel_tol=1e-9, abs_tol=1e-9)
    assert math.isclose(state.variance, float(variance), rel_tol=1e-6, abs_tol=1e-9)


def test_a_sequence_already_applied_is_not_folded_in_twice():
    state = Baseline()
    assert state.update(10.0, 5, 0.1)
    before = (state.samples, state.mean, state.variance)
    assert not state.update(99.0, 5, 0.1)
    assert not state.update(99.0, 4, 0.1)
    assert (state.samples, state.mean, state.variance) == before


def test_a_steady_counter_changing_by_one_unit_is_not_an_anomaly():
    """production_count always 12, then 13: the floor (0.1% of the 0..500 range = 0.5) keeps z at 2."""
    detector = AnomalyDetector(LIMITS, zscore_threshold=4, min_samples=20, alpha=0.1)
    steady = {("d", "production_count"): Baseline(samples=50, mean=12.0, variance=0.0, last_sequence=49)}
    anomalies, _ = detector.detect([reading(50, production_count=13)], steady)
    assert anomalies == []
    jump, _ = detector.detect(
        [reading(51, production_count=15)], {("d", "production_count"): Baseline(50, 12.0, 0.0, 49)}
    )
    assert [(a.metric, a.reasons, a.zscore) for a in jump] == [("production_count", ("zscore",), 6.0)]


def test_limits_apply_with_or_without_a_baseline():
    detector = AnomalyDetector(LIMITS, zscore_threshold=4, min_samples=20, alpha=0.1)
    batch = [reading(1, temperature_c=120.5, pressure_kpa=79.999999), reading(2, temperature_c=120.500001)]
    for baselines in (None, {("d", "temperature_c"): Baseline(), ("d", "pressure_kpa"): Baseline()}):
        anomalies, _ = detector.detect(batch, baselines)
        assert [(a.reading.sequence, a.metric, a.reasons) for a in anomalies] == [
            (1, "pressure_kpa", ("below_min",)),
            (2, "temperature_c", ("above_max",)),
        ]


def test_zscore_needs_the_minimum_number_of_samples_and_the_threshold():
    detector = AnomalyDetector(LIMITS, zscore_threshold=4, min_samples=20, alpha=0.1)
    young = Baseline(samples=19, mean=50.0, variance=1.0, last_sequence=19)
    mature = Baseline(samples=20, mean=50.0, variance=1.0, last_sequence=19)
    for state, expected in ((young, []), (mature, [("zscore",)])):
        anomalies, changed = detector.detect(
            [reading(20, temperature_c=54.5)], {("d", "temperature_c"): state}
        )
        assert [a.reasons for a in anomalies] == expected
        assert changed == {("d", "temperature_c")}
    at_threshold, _ = detector.detect(
        [reading(21, temperature_c=54.0)], {("d", "temperature_c"): Baseline(20, 50.0, 1.0, 19)}
    )
    assert at_threshold == []  # z == 4 is not above the threshold


def test_an_anomaly_records_the_baseline_it_was_scored_against():
    detector = AnomalyDetector(LIMITS, zscore_threshold=4, min_samples=20, alpha=0.1)
    state = Baseline(samples=30, mean=50.0, variance=0.25, last_sequence=29)
    (anomaly,), _ = detector.detect([reading(30, temperature_c=60.0)], {("d", "temperature_c"): state})
    assert anomaly.zscore == 20.0
    assert (anomaly.baseline.samples, anomaly.baseline.mean) == (30, 50.0)
    assert state.samples == 31  # the live state moved on
