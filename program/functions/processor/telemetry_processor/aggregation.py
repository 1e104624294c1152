"""Per device, metric and one-minute window statistics: pure maths, no I/O.

A window is summarised by (count, sum, sum of squares, min, max) of its
readings in micro-units (value x 10^6 as integers, see validation.MICROS).
Integers make every sum exact, so:

- two summaries of disjoint sets of readings merge into exactly the summary of
  their union, in any order: batches, retries and later roll-ups (hours, days)
  combine by adding fields;
- the variance n*sum(x^2) - sum(x)^2 is computed without cancellation error,
  whatever the magnitude of the readings.

mean and stddev (population: the window is the whole population) are derived
from the summary and rounded to 9 decimal places for storage.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import NamedTuple

from telemetry_processor.model import Reading, StreamPosition

WINDOW_SECONDS = 60
MICROS_EXPONENT = 6  # readings are integers of 10^-6 units
DERIVED_QUANTUM = Decimal("1e-9")  # mean and stddev are stored to 9 decimal places

_CONTEXT = Context(prec=60, rounding=ROUND_HALF_EVEN)  # exact for every value the schema admits


def window_start(timestamp_us: int) -> int:
    """Epoch second at which the one-minute window holding this instant begins."""
    return timestamp_us // 1_000_000 // WINDOW_SECONDS * WINDOW_SECONDS


@dataclass(slots=True)
class WindowStats:
    """Mergeable summary of readings in micro-units."""

    count: int = 0
    total: int = 0
    total_squares: int = 0
    minimum: int | None = None
    maximum: int | None = None

    @classmethod
    def of(cls, values) -> WindowStats:
        values = list(values)
        if not values:
            return cls()
        return cls(len(values), sum(values), sum([v * v for v in values]), min(values), max(values))

    def merge(self, other: WindowStats) -> WindowStats:
        """The summary of both sets of readings (they must be disjoint)."""
        if not other.count:
            return WindowStats(self.count, self.total, self.total_squares, self.minimum, self.maximum)
        if not self.count:
            return WindowStats(other.count, other.total, other.total_squares, other.minimum, other.maximum)
        return WindowStats(
            count=self.count + other.count,
            total=self.total + other.total,
            total_squares=self.total_squares + other.total_squares,
            minimum=min(self.minimum, other.minimum),
            maximum=max(self.maximum, other.maximum),
        )

    def mean(self) -> Decimal:
        """Arithmetic mean in units, to 9 decimal places."""
        quotient = _CONTEXT.divide(Decimal(self.total), Decimal(self.count))
        return _units(quotient)

    def stddev(self) -> Decimal:
        """Population standard deviation in units, to 9 decimal places."""
        spread = self.count * self.total_squares - self.total * self.total  # n^2 * variance, exact, >= 0
        root = _CONTEXT.sqrt(Decimal(spread))
        return _units(_CONTEXT.divide(root, Decimal(self.count)))


def _units(micros: Decimal) -> Decimal:
    return micros.scaleb(-MICROS_EXPONENT, _CONTEXT).quantize(DERIVED_QUANTUM, context=_CONTEXT)


class AggregateKey(NamedTuple):
    device_id: str
    metric: str
    window_start: int  # epoch seconds


@dataclass(slots=True)
class WindowContribution:
    """One batch's readings for one aggregate, keyed by device sequence number.

    A sequence number seen twice in the batch (a device or IoT retry) is kept
    once: the first occurrence wins.
    """

    facility: str
    device_type: str
    positions: dict[
        int, StreamPosition
    ]  # the device's records in the batch by sequence (shared by its aggregates)
    values: dict[int, int] = field(default_factory=dict)  # device sequence -> micro-units

    def stats_excluding(self, applied: Container[int]) -> tuple[WindowStats, list[int]]:
        """The summary of the readings not yet applied, and their sequence numbers."""
        fresh = [sequence for sequence in self.values if sequence not in applied]
        return WindowStats.of(self.values[sequence] for sequence in fresh), fresh

    def record_positions(self) -> list[StreamPosition]:
        """The stream records that carry this aggregate's readings."""
        return [self.positions[sequence] for sequence in self.values]


def group_readings(readings: list[Reading]) -> dict[AggregateKey, WindowContribution]:
    """Group a batch's readings by device, metric and one-minute window (the hot loop: plain tuples)."""
    groups: dict[tuple[str, str, int], WindowContribution] = {}
    positions_by_device: dict[str, dict[int, StreamPosition]] = {}
    window_us = WINDOW_SECONDS * 1_000_000
    for reading in readings:
        device, sequence = reading.device_id, reading.sequence
        positions = positions_by_device.get(device)
        if positions is None:
            positions = positions_by_device[device] = {}
        positions.setdefault(sequence, reading.position)
        start = reading.timestamp_us // window_us * WINDOW_SECONDS
        for metric, value in reading.metric_micros.items():
            key = (device, metric, start)
            group = groups.get(key)
            if group is None:
                group = groups[key] = WindowContribution(reading.facility, reading.device_type, positions)
            if sequence not in group.values:
                group.values[sequence] = value
    return {AggregateKey._make(key): group for key, group in groups.items()}
