"""The dead-letter queue: every rejected record with its reason and original payload.

Message body (JSON)::

    {
      "reason": "schema_violation",              # validation.REJECTION_REASONS
      "detail": "data must contain ['sequence'] properties",
      "payload": "<the record data as text>",    # or base64 if it is not UTF-8:
      "payloadEncoding": "utf-8" | "base64",
      # or, when the message would exceed SQS's 256 KiB limit, no "payload" but:
      "payloadEncoding": "s3",
      "payloadLocation": {"bucket": ..., "key": "dead-letter/<shardId>/<sequenceNumber>.bin",
                          "bytes": N, "sha256": "<hex>"},
      "source": {"shardId": ..., "sequenceNumber": ..., "partitionKey": ..., "approximateArrivalTimestamp": ...},
      "rejectedAt": "2025-06-01T12:00:01Z"
    }

with message attributes ``reason`` and ``recordId`` (<shardId>:<sequenceNumber>,
unique per record: the key to de-duplicate on).

``detail`` is cut to MAX_DETAIL_CHARS. A payload too large for one SQS
message (MAX_MESSAGE_BYTES, attributes included) is first stored in the raw
archive bucket under ``dead-letter/`` (SSE-KMS with the archive's key, like the
archive; the key is a function of the record, so a retry overwrites it) and the
message references it; if that upload fails, the record is retried.

A rejected record counts as processed (it must not block the shard). Its send
is recorded in the ledger (ledger.py, per shard) so that a batch retried
because of some other record does not dead-letter it again. If a send fails,
that record is retried; records after it in the same batch that were sent may
then be sent once more (as after a failed ledger update), which ``recordId``
makes detectable (SQS standard queues are at-least-once in any case).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections import defaultdict
from dataclasses import dataclass

from telemetry_processor.model import Rejection
from telemetry_processor.sinks import TRANSIENT_ERRORS, SinkOutcome, describe
from telemetry_processor.sinks.ledger import LedgerError, StreamLedger
from telemetry_processor.timestamps import utc_seconds_text

SINK = "dlq"
MAX_ENTRIES = 10  # SendMessageBatch limit
MAX_BATCH_BYTES = 256 * 1024  # SendMessageBatch payload limit (all entries together)
# SQS's message size limit, body and attributes together: 256 KiB for queues created before AWS raised
# the maximum to 1 MiB (2025), and still the limit of any queue whose MaximumMessageSize says so.
MAX_MESSAGE_BYTES = 256 * 1024
MAX_DETAIL_CHARS = 1000  # a schema error can quote the offending value
PAYLOAD_PREFIX = "dead-letter"


@dataclass(frozen=True, slots=True)
class PayloadStore:
    """Where payloads too large for a message go: the raw archive bucket, under its KMS key."""

    client: object
    bucket: str
    kms_key_arn: str

    def put(self, rejection: Rejection) -> dict:
        """Store the payload; returns its location. Raises TRANSIENT_ERRORS."""
        position = rejection.position
        key = f"{PAYLOAD_PREFIX}/{position.shard_id}/{position.sequence_number}.bin"
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=rejection.payload,
            ContentType="application/octet-stream",
            ServerSideEncryption="aws:kms",
            SSEKMSKeyId=self.kms_key_arn,
            BucketKeyEnabled=True,
        )
        return {
            "bucket": self.bucket,
            "key": key,
            "bytes": len(rejection.payload),
            "sha256": hashlib.sha256(rejection.payload).hexdigest(),
        }


def message_body(rejection: Rejection, location: dict | None = None) -> str:
    """The message; ``location`` (PayloadStore.put) replaces the payload by a reference to it."""
    position = rejection.position
    if location is not None:
        carried = {"payloadEncoding": "s3", "payloadLocation": location}
    else:
        try:
            carried = {"payload": rejection.payload.decode("utf-8"), "payloadEncoding": "utf-8"}
        except UnicodeDecodeError:
            carried = {"payload": base64.b64encode(rejection.payload).decode("ascii"), "payloadEncoding": "base64"}
    return json.dumps(
        {
            "reason": rejection.reason,
            "detail": rejection.detail[:MAX_DETAIL_CHARS],
            **carried,
            "source": {
                "shardId": position.shard_id,
                "sequenceNumber": position.sequence_number,
                "partitionKey": position.partition_key,
                "approximateArrivalTimestamp": position.arrival,
            },
            "rejectedAt": utc_seconds_text(time.time()),
        }
    )


def _attributes(rejection: Rejection) -> dict:
    return {
        "reason": {"DataType": "String", "StringValue": rejection.reason},
        "recordId": {"DataType": "String", "StringValue": rejection.position.record_id},
    }


def message_bytes(body: str, attributes: dict) -> int:
    """What SQS counts against its limit: the body and each attribute's name, type and value, in UTF-8."""
    size = len(body.encode("utf-8"))
    for name, value in attributes.items():
        size += sum(len(part.encode("utf-8")) for part in (name, value["DataType"], value["StringValue"]))
    return size


def _entry(index: int, rejection: Rejection, location: dict | None = None) -> dict:
    return {"Id": str(index), "MessageBody": message_body(rejection, location), "MessageAttributes": _attributes(rejection)}


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
    def __init__(self, client, queue_url: str, ledger: StreamLedger, payloads: PayloadStore):
        self._client = client
        self._queue_url = queue_url
        self._ledger = ledger
        self._payloads = payloads

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

    def _entries(self, fresh: list[Rejection], outcome: SinkOutcome) -> tuple[list[dict], set[int]]:
        """One entry per rejection, its payload moved to S3 where it would not fit; indexes not sendable."""
        entries, unsendable = [], set()
        for index, rejection in enumerate(fresh):
            entry = _entry(index, rejection)
            if message_bytes(entry["MessageBody"], entry["MessageAttributes"]) > MAX_MESSAGE_BYTES:
                try:
                    entry = _entry(index, rejection, self._payloads.put(rejection))
                except TRANSIENT_ERRORS as error:
                    unsendable.add(index)
                    outcome.fail([rejection.position], f"store oversized DLQ payload: {describe(error)}")
                    continue
            entries.append(entry)
        return entries, unsendable

    def _send_shard(self, ledger_name: str, fresh: list[Rejection], outcome: SinkOutcome) -> None:
        entries, failed_indexes = self._entries(fresh, outcome)
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
