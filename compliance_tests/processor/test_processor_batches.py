"""The handler end to end: a moto server (DynamoDB, S3, SQS, KMS, Secrets Manager) and a real redis-server."""

from __future__ import annotations

import base64
import json
import random
import time

import pytest

from compliance_tests.processor import sinks_view
from compliance_tests.processor.events import Shard, as_published, fleet, invoke, message, published_payload

pytestmark = pytest.mark.slow


def test_clean_batch_yields_expected_aggregates_archive_and_device_state(
    handler, aws, resources, dlq, facility, database
):
    messages = fleet(30, facility, random.Random(1))  # 3 devices x 30 readings over 2 minutes
    shard = Shard()
    records = shard.records(messages, arrival=time.time())

    response = invoke(handler, records)

    assert response == {"batchItemFailures": []}
    devices = {m["deviceId"] for m in messages}
    expected = sinks_view.reference_aggregates(messages)
    assert len(expected) == 3 * 4 * 2  # devices x metrics x one-minute windows
    stored = sinks_view.stored_aggregates(database, devices)
    sinks_view.assert_aggregates_match(stored, expected)

    objects = sinks_view.archive(aws["s3"], resources["ARCHIVE_BUCKET"], facility)
    assert len(objects) == 2  # one object per partition (two device types, one hour, one shard)
    for key, lines in objects.items():
        members = [m for m in messages if key.startswith(sinks_view.partition_of(m))]
        assert key.endswith(f"/{shard.shard_id}-{lines[0]['sequenceNumber']}.jsonl.gz")
        # the messages as the IoT rule put them on the stream (identity fields included), in stream order
        assert [line["message"] for line in lines] == [as_published(m) for m in members]
        assert all(line["shardId"] == shard.shard_id for line in lines)
        head = aws["s3"].head_object(Bucket=resources["ARCHIVE_BUCKET"], Key=key)
        assert head["ServerSideEncryption"] == "aws:kms"
        assert head["SSEKMSKeyId"] == resources["ARCHIVE_KMS_KEY_ARN"]

    for device in devices:
        state = aws["dynamodb"].get_item(
            TableName=resources["DEVICES_TABLE"], Key={"deviceId": {"S": device}}
        )["Item"]
        assert int(state["lastSequence"]["N"]) == 1029
        assert state["facility"]["S"] == facility
    assert dlq.drain() == []
    for device in devices:
        assert sinks_view.anomalies(database, device) == []


def test_every_class_of_malformed_record_goes_to_the_dlq_and_the_rest_is_processed(
    handler, aws, resources, dlq, facility, database
):
    good = fleet(5, facility, random.Random(2), devices=1)
    template = dict(good[0], sequence=5000)
    future = message(template["deviceId"], 5001, time.time() + 3600, template["metrics"], facility=facility)
    malformed = [
        ("bad_json", b"\xff\xfe not utf-8"),
        ("bad_json", b'{"schemaVersion": 1, "deviceId": '),
        ("bad_json", b'{"schemaVersion": 1, "x": NaN}'),
        ("bad_json", published_payload(template).replace(b'"sequence": ', b'"sequence": 1, "sequence": ')),
        ("unsupported_schema_version", published_payload(dict(template, schemaVersion=2))),
        ("schema_violation", published_payload({k: v for k, v in template.items() if k != "sequence"})),
        ("schema_violation", published_payload(dict(template, metrics={"humidity": 40}))),
        ("schema_violation", published_payload(dict(template, timestamp="2025-02-30T00:00:00Z"))),
        ("schema_violation", published_payload(dict(template, deviceId="a/b"), thing=template["deviceId"])),
        ("schema_violation", b"[1, 2, 3]"),
        ("out_of_range", published_payload(dict(template, metrics={"temperature_c": -300.0}))),
        ("out_of_range", published_payload(dict(template, metrics={"pressure_kpa": 2e6}))),
        ("timestamp_in_future", published_payload(future)),
        ("identity_missing", json.dumps(template).encode()),  # not through the IoT rule
        ("identity_mismatch", published_payload(template, thing=f"{template['deviceId']}-x")),
        ("identity_mismatch", published_payload(template, facility=f"{facility}-x")),
    ]
    shard = Shard()
    mixed = [good[0], *[p for _, p in malformed[:6]], *good[1:3], *[p for _, p in malformed[6:]], *good[3:]]
    records = shard.records(mixed, arrival=time.time())
    expected = {}
    for record, item in zip(records, mixed, strict=True):
        if isinstance(item, bytes):
            expected[record["kinesis"]["sequenceNumber"]] = next(r for r, p in malformed if p is item), item

    response = invoke(handler, records)

    assert response == {"batchItemFailures": []}  # malformed records never block the shard
    letters = {letter["source"]["sequenceNumber"]: letter for letter in dlq.drain()}
    assert set(letters) == set(expected)
    for sequence_number, (reason, payload) in expected.items():
        letter = letters[sequence_number]
        assert letter["reason"] == reason, (payload, letter["detail"])
        assert letter["attributes"] == {"reason": reason, "recordId": f"{shard.shard_id}:{sequence_number}"}
        if letter["payloadEncoding"] == "base64":
            assert base64.b64decode(letter["payload"]) == payload
        else:
            assert letter["payload"].encode("utf-8") == payload
        assert letter["detail"]
    stored = sinks_view.stored_aggregates(database, {template["deviceId"]})
    sinks_view.assert_aggregates_match(stored, sinks_view.reference_aggregates(good))
    objects = sinks_view.archive(aws["s3"], resources["ARCHIVE_BUCKET"], facility)
    assert [line["message"] for lines in objects.values() for line in lines] == [as_published(m) for m in good]
