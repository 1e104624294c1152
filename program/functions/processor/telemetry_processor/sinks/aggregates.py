"""One-minute aggregates in the metrics table, applied exactly once per reading.

Item (METRICS_TABLE, hash ``pk``, range ``sk``)::

    pk                "AGG#<deviceId>#<metric>"
    sk                "<window start, UTC>"            e.g. "2025-06-01T12:03:00Z"
    recordType        "aggregate"
    deviceId, metric, facility, deviceType, windowStart (= sk), windowSeconds (60)
    count             N   readings in the window
    sum, sumSquares   N   exact sums of the readings and of their squares
    min, max          N
    mean, stddev      N   derived (population stddev), 9 decimal places
    appliedSequences  S   device sequence numbers already counted, as ranges ("0-41,43-60": sequence_ranges.py)
    version           N   optimistic-concurrency counter
    updatedAt         S   ISO 8601 UTC
    expiresAt         N   epoch seconds, the table's TTL attribute

Each write is read-merge-write: read the item (strongly consistent), leave out
readings whose sequence number is already in appliedSequences, merge the rest,
and put the item on condition that ``version`` has not moved (or that the item
does not exist yet). The counted sequence numbers and the sums change in the
same conditional write, so a re-delivered batch, a partial retry with other
batch boundaries, or a duplicate message from the device never counts a
reading twice. A lost race (another writer moved ``version``) is re-read and
retried; a throttled or failed write fails exactly the records it carried.
"""

from __future__ import annotations

import time
from concurrent.futures import Executor

from botocore.exceptions import ClientError

from telemetry_processor.aggregation import (
    WINDOW_SECONDS,
    AggregateKey,
    WindowContribution,
    WindowStats,
    micros_to_units,
    squares_to_micros,
    squares_to_units,
    units_to_micros,
)
from telemetry_processor.sequence_ranges import SequenceRanges
from telemetry_processor.sinks import TRANSIENT_ERRORS, SinkOutcome, describe
from telemetry_processor.sinks.dynamodb import batch_get, key_id, number
from telemetry_processor.timestamps import utc_seconds_text

KEY_NAMES = ("pk", "sk")
RACE_RETRIES = 3


def item_key(key: AggregateKey) -> dict:
    return {"pk": {"S": f"AGG#{key.device_id}#{key.metric}"}, "sk": {"S": utc_seconds_text(key.window_start)}}


def stored_stats(item: dict) -> tuple[WindowStats, SequenceRanges, int]:
    """The summary, applied sequence numbers and version held by an aggregate item."""
    stats = WindowStats(
        count=int(item["count"]["N"]),
        total=units_to_micros(item["sum"]["N"]),
        total_squares=squares_to_micros(item["sumSquares"]["N"]),
        minimum=units_to_micros(item["min"]["N"]),
        maximum=units_to_micros(item["max"]["N"]),
    )
    applied = SequenceRanges.parse(item["appliedSequences"]["S"])
    return stats, applied, int(item["version"]["N"])


class AggregateWriter:
    def __init__(self, client, table: str, ttl_days: int, executor: Executor):
        self._client = client
        self._table = table
        self._ttl_seconds = ttl_days * 86400
        self._executor = executor

    def write(self, groups: dict[AggregateKey, WindowContribution]) -> SinkOutcome:
        outcome = SinkOutcome("aggregates")
        if not groups:
            return outcome
        keys = {key: item_key(key) for key in groups}
        found, unread = batch_get(self._client, self._table, KEY_NAMES, list(keys.values()))
        futures = []
        for key, contribution in groups.items():
            ident = key_id(keys[key], KEY_NAMES)
            if ident in unread:
                outcome.fail(contribution.record_positions(), f"read {ident}: {unread[ident]}")
                continue
            futures.append(
                (key, self._executor.submit(self._apply, key, keys[key], contribution, found.get(ident)))
            )
        for key, future in futures:
            written, error = future.result()
            if error:
                outcome.fail(groups[key].record_positions(), f"write {key.device_id}/{key.metric}: {error}")
            outcome.written += written
        return outcome

    def _apply(self, key: AggregateKey, ddb_key: dict, contribution: WindowContribution, item: dict | None):
        """Merge and conditionally put one aggregate: (1 if written else 0, error or None)."""
        for _attempt in range(RACE_RETRIES):
            if item is None:
                base, applied, version = WindowStats(), SequenceRanges(), 0
            else:
                base, applied, version = stored_stats(item)
            fresh_stats, fresh = contribution.stats_excluding(applied)
            if not fresh:
                return 0, None  # every reading was already counted: a retry
            merged = base.merge(fresh_stats)
            new_item = self._item(key, ddb_key, contribution, merged, applied.union(fresh), version + 1)
            try:
                if item is None:
                    condition = {"ConditionExpression": "attribute_not_exists(pk)"}
                else:
                    condition = {
                        "ConditionExpression": "#version = :version",
                        "ExpressionAttributeNames": {"#version": "version"},
                        "ExpressionAttributeValues": {":version": number(version)},
                    }
                self._client.put_item(TableName=self._table, Item=new_item, **condition)
                return 1, None
            except ClientError as error:
                if describe(error) != "ConditionalCheckFailedException":
                    return 0, describe(error)
            except TRANSIENT_ERRORS as error:
                return 0, describe(error)
            try:  # lost a race with another writer: read the item again and re-merge
                item = self._client.get_item(TableName=self._table, Key=ddb_key, ConsistentRead=True).get(
                    "Item"
                )
            except TRANSIENT_ERRORS as error:
                return 0, describe(error)
        return 0, f"ConditionalCheckFailed {RACE_RETRIES} times"

    def _item(self, key, ddb_key, contribution, stats: WindowStats, applied, version: int) -> dict:
        return {
            **ddb_key,
            "recordType": {"S": "aggregate"},
            "deviceId": {"S": key.device_id},
            "metric": {"S": key.metric},
            "facility": {"S": contribution.facility},
            "deviceType": {"S": contribution.device_type},
            "windowStart": ddb_key["sk"],
            "windowSeconds": number(WINDOW_SECONDS),
            "count": number(stats.count),
            "sum": number(micros_to_units(stats.total)),
            "sumSquares": number(squares_to_units(stats.total_squares)),
            "min": number(micros_to_units(stats.minimum)),
            "max": number(micros_to_units(stats.maximum)),
            "mean": number(stats.mean()),
            "stddev": number(stats.stddev()),
            "appliedSequences": {"S": str(applied)},
            "version": number(version),
            "updatedAt": {"S": utc_seconds_text(int(time.time()))},
            "expiresAt": number(key.window_start + self._ttl_seconds),
        }
