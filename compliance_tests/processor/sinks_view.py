"""Read back what the processor wrote (tests only): aggregates and anomalies (PostgreSQL), archive.

Also the reference computation the aggregates are checked against: the
statistics module over exact decimals of the messages' values.
"""

from __future__ import annotations

import gzip
import json
import statistics
from collections import defaultdict
from datetime import UTC
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from telemetry_processor.sequence_ranges import SequenceRanges

METRICS = ("temperature_c", "pressure_kpa", "vibration_mm_s", "production_count")
NINE_PLACES = Decimal("1e-9")


def window_text(timestamp: str) -> str:
    """The aggregate window (sk) of a message timestamp such as 2025-06-01T12:03:07.250Z."""
    return timestamp[:16] + ":00Z"


def reference_aggregates(messages: list[dict]) -> dict[tuple[str, str, str], dict]:
    """(device, metric, window) -> expected stored fields, each (device, sequence) counted once."""
    values: dict[tuple[str, str, str], dict[int, Decimal]] = defaultdict(dict)
    for message in messages:
        for metric, value in message["metrics"].items():
            key = (message["deviceId"], metric, window_text(message["timestamp"]))
            values[key].setdefault(message["sequence"], Decimal(str(value)))
    expected = {}
    for key, by_sequence in values.items():
        numbers = list(by_sequence.values())
        expected[key] = {
            "count": len(numbers),
            "sum": sum(numbers),
            "min": min(numbers),
            "max": max(numbers),
            "mean": statistics.mean(numbers).quantize(NINE_PLACES, rounding=ROUND_HALF_EVEN),
            "stddev": statistics.pstdev(numbers),
            "appliedSequences": SequenceRanges(by_sequence),
        }
    return expected


def stored_aggregates(database, devices: set[str]) -> dict[tuple[str, str, str], dict]:
    """(device, metric, window) -> what PostgreSQL holds, with mean and stddev derived from it."""
    with database.connect() as connection:
        rows = connection.execute(
            "SELECT device_id, metric, window_start, count, sum, sum_squares, min, max, applied_sequences,"
            " version, facility, device_type FROM telemetry.minute_aggregates WHERE device_id = ANY(%s)",
            [sorted(devices)],
        ).fetchall()
    found = {}
    for device, metric, start, count, total, squares, low, high, applied, version, facility, kind in rows:
        with localcontext() as context:
            context.prec = 60
            spread = (count * squares - total * total).sqrt() / count
            mean = (total / count).quantize(NINE_PLACES, rounding=ROUND_HALF_EVEN)
        found[(device, metric, start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:00Z"))] = {
            "count": count,
            "sum": total,
            "sumSquares": squares,
            "min": low,
            "max": high,
            "mean": mean,
            "stddev": spread,
            "appliedSequences": SequenceRanges.parse(applied),
            "item": {"version": version, "facility": facility, "deviceType": kind},
        }
    return found


def assert_aggregates_match(stored: dict, expected: dict) -> None:
    assert set(stored) == set(expected), "aggregate windows differ from the reference"
    for key, want in expected.items():
        got = stored[key]
        for field in ("count", "sum", "min", "max", "mean", "appliedSequences"):
            assert got[field] == want[field], f"{key} {field}: stored {got[field]} != reference {want[field]}"
        assert abs(got["stddev"] - want["stddev"]) <= NINE_PLACES, (
            f"{key} stddev {got['stddev']} != {want['stddev']}"
        )


def assert_hourly_rollups_match_minutes(database) -> None:
    """The hourly rows the processor keeps equal a recomputation from the minute rows (exactly)."""
    query = """
        SELECT device_id, metric, date_trunc('hour', window_start, 'UTC'), sum(count), sum(sum), sum(sum_squares),
               min(min), max(max), sum(count * m), sum(count * m * m), sum(m * sum), max(window_start)
        FROM (SELECT *, (extract(epoch FROM window_start - date_trunc('hour', window_start, 'UTC')) / 60)::int AS m
              FROM telemetry.minute_aggregates) x
        GROUP BY 1, 2, 3"""
    with database.connect() as connection:
        recomputed = {row[:3]: row[3:] for row in connection.execute(query).fetchall()}
        kept = {row[:3]: row[3:] for row in connection.execute(
            "SELECT device_id, metric, hour_start, count, sum, sum_squares, min, max, sum_t, sum_tt, sum_tx,"
            " last_window FROM telemetry.hourly_aggregates").fetchall()}
    assert kept == recomputed


def anomalies(database, device: str) -> list[dict]:
    with database.connect() as connection:
        rows = connection.execute(
            "SELECT metric, sequence, value, reasons, detection, zscore, baseline_mean, baseline_samples,"
            " limit_min, limit_max, reading_at, shard_id, kinesis_sequence_number"
            " FROM telemetry.anomalies WHERE device_id = %s ORDER BY reading_at, metric",
            [device],
        ).fetchall()
    return [
        {
            "metric": metric,
            "sequence": sequence,
            "value": value,
            "reasons": list(reasons),
            "detection": detection,
            "item": {"zscore": zscore, "baselineMean": mean, "baselineSamples": samples, "limitMin": low,
                     "limitMax": high, "readingAt": reading_at, "shardId": shard, "kinesisSequenceNumber": number},
        }
        for metric, sequence, value, reasons, detection, zscore, mean, samples, low, high, reading_at, shard, number
        in rows
    ]


def archive(s3, bucket: str, facility: str) -> dict[str, list[dict]]:
    """Object key -> its JSON lines, for every archive object of one facility."""
    objects = {}
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"raw/facility={facility}/")
    for page in pages:
        for entry in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=entry["Key"])["Body"].read()
            lines = gzip.decompress(body).decode("utf-8").splitlines()
            objects[entry["Key"]] = [json.loads(line) for line in lines]
    return objects


def partition_of(message: dict) -> str:
    """The archive prefix of a message whose timestamp is written in UTC (...Z)."""
    date, hour = message["timestamp"][:10], message["timestamp"][11:13]
    return f"raw/facility={message['facility']}/device_type={message['deviceType']}/date={date}/hour={hour}/"
