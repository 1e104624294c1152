"""The dead-letter queue: every rejected record with its reason and original payload.

Message body (JSON)::

    {
      "reason": "schema_violation",              # validation.REJECTION_REASONS
      "detail": "data must contain ['sequence'] properties",
      "payload": "<the record data as text>",    # or base64 if it is not UTF-8:
      "payloadEncoding": "utf-8" | "base64",
      "source": {"shardId": ..., "sequenceNumber": ..., "partitionKey": ..., "approximateArrivalTimestamp": ...},
      "rejectedAt": "2025-06-01T12:00:01Z"
    }

with message attributes ``reason`` and ``recordId`` (<shardId>:<sequenceNumber>,
unique per record: the key to de-duplicate on).

A rejected record counts as processed (it must not block the shard). Its send
is recorded in the ledger (ledger.py, per shard) so that a batch retried
because of some other record does not dead-letter it again. If a send fails,
that record is retried; records after it in the same batch that were sent may
then be sent once more (as after a failed ledger update), which ``recordId``
makes detectable (SQS standard queues are at-least-once in any case).
"""

from __future__ import annotations

import base64
import json
import time
from collections import defaultdict

from telemetry_processor.model import Rejection
from telemetry_processor.sinks import TRANSIENT_ERRORS, SinkOutcome, describe
from telemetry_processor.sinks.ledger import LedgerError, StreamLedger
from telemetry_processor.timestamps import utc_seconds_text

SINK = "dlq"
MAX_ENTRIES = 10  # SendMessageBatch limit
MAX_BATCH_BYTES = 256 * 1024  # SendMessageBatch payload limit (all entries together)


def message_body(rejection: Rejection) -> str:
    position = rejection.position
    try:
        payload, encoding = rejection.payload.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        payload, encoding = base64.b64encode(rejection.payload).decode("ascii"), "base64"
    return json.dumps(
        {
            "reason": rejection.reason,
            "detail": rejection.detail,
            "payload": payload,
            "payloadEncoding": encoding,
            "source": {
                "shardId": position.shard_id,
                "sequenceNumber": position.sequence_number,
                "partitionKey": position.partition_key,
                "approximateArrivalTimestamp": position.arrival,
            },
            "rejectedAt": utc_seconds_text(time.time()),
        }
    )


def _entry(index: int, rejection: Rejection) -> dict:
    return {
        "Id": str(index),
        "MessageBody": message_body(rejection),
        "MessageAttributes": {
            "reason": {"DataType": "String", "StringValue": rejection.reason},
            "recordId": {"DataType": "String", "StringValue": rejection.position.record_id},
        },
    }


def _chunks(entries: list[dict]) -> list[list[dict]]:
    chunks: list[list[dict]] = []
    size = 0
    for entry in entries:
        entry_size = len(entry["MessageBody"].encode("utf-8")) + 200  # attributes and framing
        if not chunks or len(chunks[-1]) == MAX_ENTRIES or size + entry_size > MAX_BATCH_BYTES:
            chunks.append([])
            size = 0
        chunks[-1].append(entry)
        size += entry_size
    return chunks


class DeadLetterWriter:
    def __init__(self, client, queue_url: str, ledger: StreamLedger):
        self._client = client
        self._queue_url = queue_url
        self._ledger = ledger

    def write(self, rejections: list[Rejection]) -> SinkOutcome:
        outcome = SinkOutcome(SINK)
        by_shard: dict[str, list[Rejection]] = defaultdict(list)
        for rejection in rejections:
            by_shard[rejection.position.shard_id].append(rejection)
        if not by_shard:
            return outcome
        names = {shard: f"{SINK}#{shard}#all" for shard in by_shard}
        try:
            marks = self._ledger.read(list(names.values()))
        except LedgerError as error:
            outcome.fail((rejection.position for rejection in rejections), str(error))
            return outcome
        for shard, members in by_shard.items():
            fresh = sorted(
                (r for r in members if r.position.ordinal > marks[names[shard]]),
                key=lambda r: r.position.ordinal,
            )
            self._send_shard(names[shard], fresh, outcome)
        return outcome

    def _send_shard(self, ledger_name: str, fresh: list[Rejection], outcome: SinkOutcome) -> None:
        entries = [_entry(index, rejection) for index, rejection in enumerate(fresh)]
        failed_indexes: set[int] = set()
        for chunk in _chunks(entries):
            try:
                response = self._client.send_message_batch(QueueUrl=self._queue_url, Entries=chunk)
            except TRANSIENT_ERRORS as error:
                failed = [int(entry["Id"]) for entry in chunk]
                detail = describe(error)
            else:
                failed = [int(entry["Id"]) for entry in response.get("Failed", [])]
                detail = ", ".join(
                    sorted({entry.get("Code", "Failed") for entry in response.get("Failed", [])})
                )
            if failed:
                failed_indexes.update(failed)
                outcome.fail((fresh[index].position for index in failed), f"send to DLQ: {detail}")
        outcome.written += len(fresh) - len(failed_indexes)
        delivered_prefix = min(failed_indexes, default=len(fresh))  # all sent up to here
        if delivered_prefix == 0:
            return
        try:
            self._ledger.advance(ledger_name, fresh[delivered_prefix - 1].position.ordinal)
        except LedgerError as error:  # the messages are out: a lagging mark only risks a repeat on retry
            outcome.errors.append(str(error))
