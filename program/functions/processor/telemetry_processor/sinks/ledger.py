"""High-water marks: the last stream position each sink has delivered, per shard and partition.

Lambda retries a Kinesis batch from its lowest failed record, so records that
were already archived or dead-lettered come back. Sinks that cannot overwrite
their way to idempotency (S3 objects keyed by their first record, SQS
messages) keep here, per (sink, shard, partition), the highest sequence number
they have delivered, and skip records at or below it.

Items live in IDEMPOTENCY_TABLE, next to Powertools' own records (different
``id`` prefixes; same TTL attribute)::

    id           S  "<sink>#<shardId>#<partition>"   e.g. "archive#shardId-000000000000#plant-a/press/2025-06-01/12"
    hwm          S  sequence number, zero-padded to 130 digits (compares as text)
    expiration   N  epoch seconds: kept longer than the stream can re-deliver (Kinesis keeps 365 days at most)
    updatedAt    S
"""

from __future__ import annotations

import time

from botocore.exceptions import ClientError

from telemetry_processor.sinks import TRANSIENT_ERRORS, describe
from telemetry_processor.sinks.dynamodb import batch_get, number
from telemetry_processor.timestamps import utc_seconds_text

KEY_NAMES = ("id",)
WIDTH = 130  # Kinesis sequence numbers have at most 129 digits
TTL_SECONDS = 400 * 86400
NOTHING = -1  # the mark of a partition that has delivered nothing yet


class LedgerError(Exception):
    """The ledger could not be read or advanced: the sink's records must be retried."""


class StreamLedger:
    def __init__(self, client, table: str):
        self._client = client
        self._table = table

    def read(self, names: list[str]) -> dict[str, int]:
        """The high-water mark of each name (NOTHING if none). Raises LedgerError."""
        found, unread = batch_get(
            self._client, self._table, KEY_NAMES, [{"id": {"S": name}} for name in names]
        )
        if unread:
            raise LedgerError(f"ledger read failed: {sorted(set(unread.values()))}")
        return {name: int(found[(name,)]["hwm"]["S"]) if (name,) in found else NOTHING for name in names}

    def advance(self, name: str, ordinal: int) -> None:
        """Raise the mark of ``name`` to ``ordinal`` (never lowers it). Raises LedgerError."""
        mark = f"{ordinal:0{WIDTH}d}"
        try:
            self._client.update_item(
                TableName=self._table,
                Key={"id": {"S": name}},
                UpdateExpression="SET hwm = :hwm, expiration = :expiration, updatedAt = :now",
                ConditionExpression="attribute_not_exists(hwm) OR hwm < :hwm",
                ExpressionAttributeValues={
                    ":hwm": {"S": mark},
                    ":expiration": number(int(time.time()) + TTL_SECONDS),
                    ":now": {"S": utc_seconds_text(time.time())},
                },
            )
        except ClientError as error:
            if describe(error) != "ConditionalCheckFailedException":  # already at or past ordinal: fine
                raise LedgerError(f"ledger update failed: {describe(error)}") from error
        except TRANSIENT_ERRORS as error:
            raise LedgerError(f"ledger update failed: {describe(error)}") from error
