"""Read back what the processor wrote (tests only): aggregates, anomalies, archive, devices.

Also the reference computation the aggregates are checked against: the
statistics module over exact decimals of the messages' values.
"""

from __future__ import annotations

import gzip
import json
import statistics
from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal

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


def stored_aggregates(dynamodb, table: str, devices: set[str]) -> dict[tuple[str, str, str], dict]:
    found = {}
    for device in devices:
        for metric in METRICS:
            pages = dynamodb.get_paginator("query").paginate(
                TableName=table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": f"AGG#{device}#{metric}"}},
                ConsistentRead=True,
            )
            for page in pages:
                for item in page["Items"]:
                    found[(device, metric, item["sk"]["S"])] = {
                        "count": int(item["count"]["N"]),
                        "sum": Decimal(item["sum"]["N"]),
                        "sumSquares": Decimal(item["sumSquares"]["N"]),
                        "min": Decimal(item["min"]["N"]),
                        "max": Decimal(item["max"]["N"]),
                        "mean": Decimal(item["mean"]["N"]),
                        "stddev": Decimal(item["stddev"]["N"]),
                        "appliedSequences": SequenceRanges.parse(item["appliedSequences"]["S"]),
                        "item": item,
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


def anomalies(dynamodb, table: str, device: str) -> list[dict]:
    items = dynamodb.query(
        TableName=table,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": f"ANOMALY#{device}"}},
        ConsistentRead=True,
    )["Items"]
    return [
        {
            "metric": item["metric"]["S"],
            "sequence": int(item["sequence"]["N"]),
            "value": Decimal(item["value"]["N"]),
            "reasons": [reason["S"] for reason in item["reasons"]["L"]],
            "detection": item["detection"]["S"],
            "item": item,
        }
        for item in items
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
