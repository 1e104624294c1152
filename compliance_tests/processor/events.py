"""Builders for device messages and Kinesis events as Lambda delivers them (tests and benchmark)."""

from __future__ import annotations

import base64
import json
import random
import time
import uuid
from dataclasses import dataclass, field

REGION = "us-east-1"
STREAM_ARN = f"arn:aws:kinesis:{REGION}:123456789012:stream/telemetry"
# A real-looking Kinesis sequence number (56 digits); records of one shard count up from it.
FIRST_SEQUENCE = 49590338271490256608559692538361571095921575989136588898
# The fields the IoT topic rule adds (program/components/ingestion.py, telemetry_processor/validation.py).
AUTHENTICATED_THING_FIELD = "authenticatedThingName"
AUTHORIZED_FACILITY_FIELD = "authorizedFacility"


def message(
    device_id: str,
    sequence: int,
    epoch_seconds: float,
    metrics: dict,
    facility: str = "plant-a",
    device_type: str = "hydraulic-press",
) -> dict:
    """A schema-v1 device message; the timestamp is written with millisecond precision."""
    whole, millis = divmod(round(epoch_seconds * 1000), 1000)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{millis:03d}Z"
    return {
        "schemaVersion": 1,
        "deviceId": device_id,
        "facility": facility,
        "deviceType": device_type,
        "timestamp": stamp,
        "sequence": sequence,
        "metrics": metrics,
    }


def as_published(message: dict, thing: str | None = None, facility: str | None = None) -> dict:
    """The message as the topic rule puts it on the stream: the device's fields, then the thing name the
    broker authenticated and the facility of its topic (by default, those the message claims)."""
    return {
        **message,
        AUTHENTICATED_THING_FIELD: message["deviceId"] if thing is None else thing,
        AUTHORIZED_FACILITY_FIELD: message["facility"] if facility is None else facility,
    }


def published_payload(message: dict, thing: str | None = None, facility: str | None = None) -> bytes:
    return json.dumps(as_published(message, thing, facility)).encode("utf-8")


def normal_metrics(rng: random.Random) -> dict:
    """Healthy equipment: bounded noise around steady levels, well inside the test limits."""
    return {
        "temperature_c": round(60.0 + rng.uniform(-0.8, 0.8), 3),
        "pressure_kpa": round(250.0 + rng.uniform(-3.0, 3.0), 3),
        "vibration_mm_s": round(4.0 + rng.uniform(-0.3, 0.3), 3),
        "production_count": rng.randint(10, 14),
    }


def new_shard_id() -> str:
    """A shard id of its own for each test, so that ledgers never overlap."""
    return f"shardId-{uuid.uuid4().int % 10**12:012d}"


@dataclass
class Shard:
    """Hands out increasing sequence numbers, as one Kinesis shard does."""

    shard_id: str = field(default_factory=new_shard_id)
    next_ordinal: int = FIRST_SEQUENCE

    def record(self, payload: bytes, partition_key: str, arrival: float) -> dict:
        sequence_number = str(self.next_ordinal)
        self.next_ordinal += 1
        return {
            "kinesis": {
                "kinesisSchemaVersion": "1.0",
                "partitionKey": partition_key,
                "sequenceNumber": sequence_number,
                "data": base64.b64encode(payload).decode("ascii"),
                "approximateArrivalTimestamp": arrival,
            },
            "eventSource": "aws:kinesis",
            "eventVersion": "1.0",
            "eventID": f"{self.shard_id}:{sequence_number}",
            "eventName": "aws:kinesis:record",
            "invokeIdentityArn": "arn:aws:iam::123456789012:role/telemetry-processor",
            "awsRegion": REGION,
            "eventSourceARN": STREAM_ARN,
        }

    def records(self, messages: list[dict | bytes], arrival: float) -> list[dict]:
        """Dicts go on the stream as the topic rule publishes them (as_published); bytes as they are."""
        out = []
        for item in messages:
            payload = item if isinstance(item, bytes) else published_payload(item)
            key = item["deviceId"] if isinstance(item, dict) else "unknown"
            out.append(self.record(payload, key, arrival))
        return out


def kinesis_event(records: list[dict]) -> dict:
    return {"Records": records}


@dataclass
class FakeLambdaContext:
    """What the Lambda runtime passes as ``context`` (the parts Powertools reads)."""

    function_name: str = "telemetry-processor"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:123456789012:function:telemetry-processor"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/telemetry-processor"
    log_stream_name: str = "test"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


def hour_start(hours_ago: int) -> int:
    return (int(time.time()) // 3600 - hours_ago) * 3600


def fleet(
    count: int, facility: str, rng: random.Random, devices: int = 3, start: int | None = None
) -> list[dict]:
    """``count`` readings per device, one every 4 s from ``start`` (default: 10 min into the hour
    two hours ago), devices alternating between two device types, interleaved as they would arrive."""
    start = hour_start(2) + 600 if start is None else start
    tag = uuid.uuid4().hex[:8]
    out = []
    for index in range(count):
        for number in range(devices):
            out.append(
                message(
                    f"dev-{tag}-{number}",
                    sequence=1000 + index,
                    epoch_seconds=start + 4 * index + 0.25 * number,
                    metrics=normal_metrics(rng),
                    facility=facility,
                    device_type="hydraulic-press" if number % 2 == 0 else "cnc-mill",
                )
            )
    return out


def invoke(handler, records: list[dict]) -> dict:
    """Call the Lambda handler as the Kinesis event source mapping would."""
    return handler.lambda_handler(kinesis_event(records), FakeLambdaContext())


def failed_sequence_numbers(response: dict) -> set[str]:
    return {failure["itemIdentifier"] for failure in response["batchItemFailures"]}
