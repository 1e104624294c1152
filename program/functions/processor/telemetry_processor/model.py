"""What one Kinesis record becomes after decoding: a Reading or a Rejection.

Plain slotted classes: thousands are built per batch, and frozen dataclasses
cost four times as much to construct.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class StreamPosition(NamedTuple):
    """Where a record sits in the stream: its shard and sequence number.

    Sequence numbers are decimal strings that grow within a shard; ``ordinal``
    is the same number as an int so that positions compare correctly.
    """

    shard_id: str
    sequence_number: str
    partition_key: str
    arrival: float  # approximateArrivalTimestamp, epoch seconds

    @property
    def ordinal(self) -> int:
        return int(self.sequence_number)

    @property
    def record_id(self) -> str:
        return f"{self.shard_id}:{self.sequence_number}"


@dataclass(slots=True)
class Reading:
    """A valid message: one device's readings at one instant."""

    position: StreamPosition
    device_id: str
    facility: str
    device_type: str
    timestamp_us: int  # when the reading was taken: epoch microseconds, UTC
    sequence: int  # the device's message counter
    metric_micros: dict[str, int]  # value x 10^6, rounded half-even: exact integer arithmetic downstream
    raw: bytes  # the message as received (UTF-8 JSON)


@dataclass(slots=True)
class Rejection:
    """A malformed message: why, and the original payload for the dead-letter queue."""

    position: StreamPosition
    reason: str
    detail: str
    payload: bytes
