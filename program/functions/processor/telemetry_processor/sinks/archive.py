"""The raw archive: every valid record, gzip JSON Lines in S3, SSE-KMS, partitioned for Athena.

Object key::

    raw/facility=<facility>/device_type=<deviceType>/date=<YYYY-MM-DD>/hour=<HH>/<shardId>-<first sequence number>.jsonl.gz

(date and hour of the reading's own timestamp, UTC). One line per record::

    {"shardId": "...", "sequenceNumber": "...", "approximateArrivalTimestamp": 1748779200.25, "message": {...}}

where ``message`` is the device's JSON exactly as received (line breaks, which
JSON only allows as whitespace, become spaces).

Exactly once, across retries with any batch boundaries: per shard and
partition, the ledger (ledger.py) holds the highest sequence number archived.
A batch archives only the records above it, in one object named after the
first of them, then advances the mark. A retry after a failed write or a
crash therefore rebuilds the same object name from the same first record and
overwrites it (with the same records, or more), and records already below the
mark are never written again. Objects are byte-for-byte deterministic
(gzip mtime 0).
"""

from __future__ import annotations

import gzip
import json
import time
from collections import defaultdict
from concurrent.futures import Executor

from telemetry_processor.model import Reading
from telemetry_processor.sinks import TRANSIENT_ERRORS, SinkOutcome, describe
from telemetry_processor.sinks.ledger import LedgerError, StreamLedger

PREFIX = "raw"
SINK = "archive"


def partition_path(reading: Reading) -> str:
    hour = time.strftime("%Y-%m-%d/%H", time.gmtime(reading.timestamp_us // 1_000_000))
    date, hour = hour.split("/")
    return f"facility={reading.facility}/device_type={reading.device_type}/date={date}/hour={hour}"


def archive_line(reading: Reading) -> bytes:
    position = reading.position
    envelope = json.dumps(
        {
            "shardId": position.shard_id,
            "sequenceNumber": position.sequence_number,
            "approximateArrivalTimestamp": position.arrival,
        }
    )
    message = reading.raw.replace(b"\r", b" ").replace(b"\n", b" ")
    return b'%s, "message": %s}\n' % (envelope[:-1].encode("utf-8"), message)


def object_body(readings: list[Reading]) -> bytes:
    return gzip.compress(b"".join(archive_line(reading) for reading in readings), compresslevel=6, mtime=0)


class ArchiveWriter:
    def __init__(self, client, bucket: str, kms_key_arn: str, ledger: StreamLedger, executor: Executor):
        self._client = client
        self._bucket = bucket
        self._kms_key_arn = kms_key_arn
        self._ledger = ledger
        self._executor = executor

    def write(self, readings: list[Reading]) -> SinkOutcome:
        outcome = SinkOutcome(SINK)
        groups: dict[tuple[str, str], list[Reading]] = defaultdict(list)
        for reading in readings:
            groups[(reading.position.shard_id, partition_path(reading))].append(reading)
        if not groups:
            return outcome
        names = {group: f"{SINK}#{group[0]}#{group[1]}" for group in groups}
        try:
            marks = self._ledger.read(list(names.values()))
        except LedgerError as error:
            outcome.fail((reading.position for reading in readings), str(error))
            return outcome
        futures = []
        for group, members in groups.items():
            mark = marks[names[group]]
            fresh = sorted(
                (r for r in members if r.position.ordinal > mark), key=lambda r: r.position.ordinal
            )
            if fresh:
                futures.append((fresh, self._executor.submit(self._archive, group, names[group], fresh)))
        for fresh, future in futures:
            error = future.result()
            if error:
                outcome.fail((reading.position for reading in fresh), error)
            else:
                outcome.written += 1
        return outcome

    def _archive(self, group: tuple[str, str], ledger_name: str, fresh: list[Reading]) -> str | None:
        shard_id, partition = group
        key = f"{PREFIX}/{partition}/{shard_id}-{fresh[0].position.sequence_number}.jsonl.gz"
        try:
            self._client.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=object_body(fresh),
                ContentType="application/gzip",
                ServerSideEncryption="aws:kms",
                SSEKMSKeyId=self._kms_key_arn,
                BucketKeyEnabled=True,
            )
        except TRANSIENT_ERRORS as error:
            return f"put {key}: {describe(error)}"
        try:
            self._ledger.advance(ledger_name, fresh[-1].position.ordinal)
        except LedgerError as error:
            return f"{key}: {error}"
        return None
