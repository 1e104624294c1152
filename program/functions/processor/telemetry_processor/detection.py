"""Anomaly detection: configured operating limits, then the rolling baseline's z-score.

A reading of a metric is anomalous when it lies outside the metric's operating
limits (METRIC_LIMITS), or when its baseline has at least
BASELINE_MIN_SAMPLES samples and the reading is more than ZSCORE_THRESHOLD
standard deviations from the baseline mean (the deviation floored at 0.1% of
the metric's operating range). Without baselines (Redis down) only
the limits apply. Pure computation: the caller loads and saves baselines.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from telemetry_processor.baseline import Baseline, BaselineKey
from telemetry_processor.config import MetricLimits
from telemetry_processor.model import Reading

BELOW_MIN = "below_min"
ABOVE_MAX = "above_max"
ZSCORE = "zscore"

# The baseline's standard deviation is floored at this fraction of the metric's operating range:
# a perfectly steady signal (a counter that always reports 12) would otherwise turn its
# smallest change into an infinite z-score.
STDDEV_FLOOR = 0.001


@dataclass(frozen=True, slots=True)
class Anomaly:
    reading: Reading
    metric: str
    value: float
    reasons: tuple[str, ...]
    limits: MetricLimits
    baseline: Baseline | None  # the baseline the reading was scored against (before its own update)
    zscore: float | None


class AnomalyDetector:
    def __init__(
        self, limits: dict[str, MetricLimits], zscore_threshold: float, min_samples: int, alpha: float
    ):
        self._limits = limits
        self._micro_limits = {
            m: (_to_micros(lim.minimum), _to_micros(lim.maximum)) for m, lim in limits.items()
        }
        self._min_stddev = {m: float(lim.maximum - lim.minimum) * STDDEV_FLOOR for m, lim in limits.items()}
        self._threshold = zscore_threshold
        self._min_samples = min_samples
        self._alpha = alpha

    def detect(
        self,
        readings: list[Reading],
        baselines: dict[BaselineKey, Baseline] | None,
    ) -> tuple[list[Anomaly], set[BaselineKey]]:
        """Score readings in stream order; return the anomalies and the baselines that changed.

        ``baselines`` (from RedisBaselineStore.load, or None for limits only) is
        updated in place as each reading is folded in.
        """
        anomalies: list[Anomaly] = []
        changed: set[BaselineKey] = set()
        micro_limits, min_stddev = self._micro_limits, self._min_stddev
        threshold, min_samples, alpha = self._threshold, self._min_samples, self._alpha
        for reading in readings:
            device, sequence = reading.device_id, reading.sequence
            for metric, micros in reading.metric_micros.items():
                low, high = micro_limits[metric]
                reasons: tuple[str, ...] = (
                    (BELOW_MIN,) if micros < low else (ABOVE_MAX,) if micros > high else ()
                )
                value = micros / 1_000_000
                score = snapshot = None
                if baselines is not None:
                    key = (device, metric)
                    state = baselines[key]
                    if state.samples >= min_samples:
                        score = state.zscore(value, min_stddev[metric])
                        if score > threshold:
                            reasons += (ZSCORE,)
                    if reasons:
                        snapshot = state.copy()
                    if state.update(value, sequence, alpha):
                        changed.add(key)
                if reasons:
                    anomalies.append(
                        Anomaly(reading, metric, value, reasons, self._limits[metric], snapshot, score)
                    )
        return anomalies, changed


def _to_micros(limit: Decimal) -> int:
    return int((limit * 1_000_000).to_integral_value(rounding=ROUND_HALF_EVEN))
