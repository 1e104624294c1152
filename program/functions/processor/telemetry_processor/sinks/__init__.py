"""Where a batch's results go: PostgreSQL (aggregates, anomalies), DynamoDB (device state), S3, SQS.

Every sink reports, instead of raising, which records it could not deliver
(SinkOutcome.failed); the pipeline returns exactly those records in
batchItemFailures so that Lambda retries them, and every sink is written so
that a retry never applies a record twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from botocore.exceptions import BotoCoreError, ClientError

from telemetry_processor.model import StreamPosition

# Errors of one AWS call that mean "this write did not happen": throttling,
# unprocessed items after retries, timeouts, 5xx. The records are retried.
TRANSIENT_ERRORS = (ClientError, BotoCoreError)


@dataclass(slots=True)
class SinkOutcome:
    """What one sink did with a batch: how many writes, which records failed and why."""

    sink: str
    written: int = 0
    skipped: int = 0  # results deliberately not stored (e.g. readings older than the database's retention)
    failed: set[StreamPosition] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)

    def fail(self, positions: Iterable[StreamPosition], error: str) -> None:
        self.failed.update(positions)
        self.errors.append(error)


def describe(error: Exception) -> str:
    """A short, secret-free description of an AWS error: its code, not the request."""
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code", "ClientError")
    return type(error).__name__
