"""Device identity bound to its data, and records that must never be retried (issue 13, item 7).

The handler end to end against the moto server and redis-server: a device that
authenticated as one thing and claims to be another is dead-lettered with its
reason and leaves no trace in any sink; data that is not base64 is
dead-lettered, not retried; a dead letter too large for SQS carries a reference
to its payload, stored encrypted in the archive bucket.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import time

import pytest
from telemetry_processor.sinks.dlq import MAX_MESSAGE_BYTES

from compliance_tests.processor import sinks_view
from compliance_tests.processor.events import Shard, fleet, invoke, published_payload

pytestmark = pytest.mark.slow


def test_a_spoofed_device_id_goes_to_the_dlq_and_writes_nothing(handler, aws, resources, dlq, facility, database):
    """Thing A publishes a reading as device B (hot enough to be an anomaly): nothing of it is stored."""
    honest = fleet(3, facility, random.Random(31), devices=2)
    attacker, victim = honest[0]["deviceId"], honest[1]["deviceId"]
    forged = dict(honest[1], sequence=9000, metrics={"temperature_c": 149.0})  # above the 120 degC limit
    foreign_plant = dict(honest[0], sequence=9001, facility=f"{facility}-b")
    shard = Shard()
    records = shard.records(honest, arrival=time.time())
    records += [
        shard.record(published_payload(forged, thing=attacker), attacker, time.time()),
        shard.record(published_payload(foreign_plant, facility=facility), attacker, time.time()),
    ]

    response = invoke(handler, records)

    assert response == {"batchItemFailures": []}  # dead-lettered, never retried
    letters = {letter["source"]["sequenceNumber"]: letter for letter in dlq.drain()}
    spoofed, elsewhere = (r["kinesis"]["sequenceNumber"] for r in records[-2:])
    assert set(letters) == {spoofed, elsewhere}
    assert letters[spoofed]["reason"] == "identity_mismatch"
    assert f"deviceId {victim!r}" in letters[spoofed]["detail"]
    assert f"authenticated as thing {attacker!r}" in letters[spoofed]["detail"]
    assert letters[elsewhere]["reason"] == "identity_mismatch"
    assert f"facility {facility + '-b'!r}" in letters[elsewhere]["detail"]

    # Only the honest readings were counted: no aggregate, device state or anomaly of the forged ones.
    stored = sinks_view.stored_aggregates(database, {attacker, victim})
    sinks_view.assert_aggregates_match(stored, sinks_view.reference_aggregates(honest))
    for device in (attacker, victim):
        assert sinks_view.anomalies(database, device) == []
        state = aws["dynamodb"].get_item(TableName=resources["DEVICES_TABLE"], Key={"deviceId": {"S": device}})
        assert int(state["Item"]["lastSequence"]["N"]) < 9000
        assert state["Item"]["facility"]["S"] == facility
    archived = sinks_view.archive(aws["s3"], resources["ARCHIVE_BUCKET"], facility)
    assert sorted(line["message"]["sequence"] for lines in archived.values() for line in lines) == sorted(
        m["sequence"] for m in honest
    )
    assert sinks_view.archive(aws["s3"], resources["ARCHIVE_BUCKET"], f"{facility}-b") == {}


def test_a_record_that_did_not_come_through_the_iot_rule_fails_closed(handler, aws, resources, dlq, facility, database):
    """A replayed old record (the rule did not add the identity then) or another producer's: dead-lettered."""
    [old] = fleet(1, facility, random.Random(32), devices=1)
    shard = Shard()
    records = [shard.record(json.dumps(old).encode(), old["deviceId"], time.time())]

    assert invoke(handler, records) == {"batchItemFailures": []}

    [letter] = dlq.drain()
    assert letter["reason"] == "identity_missing"
    assert json.loads(letter["payload"]) == old
    assert sinks_view.stored_aggregates(database, {old["deviceId"]}) == {}


def test_malformed_base64_goes_to_the_dlq_without_a_retry(handler, aws, resources, dlq, facility, database):
    messages = fleet(2, facility, random.Random(33), devices=1)
    shard = Shard()
    records = shard.records(messages, arrival=time.time())
    broken = shard.record(b"", "unknown", time.time())
    broken["kinesis"]["data"] = "eyJub3QiOiAi*base64"  # '*' is outside the alphabet
    records.insert(1, broken)

    response = invoke(handler, records)

    assert response == {"batchItemFailures": []}
    [letter] = dlq.drain()
    assert letter["reason"] == "bad_base64"
    assert letter["source"]["sequenceNumber"] == broken["kinesis"]["sequenceNumber"]
    assert letter["payload"] == "eyJub3QiOiAi*base64"  # the data as Kinesis delivered it
    stored = sinks_view.stored_aggregates(database, {messages[0]["deviceId"]})
    sinks_view.assert_aggregates_match(stored, sinks_view.reference_aggregates(messages))


def test_an_oversized_dead_letter_stores_its_payload_in_the_archive_bucket_and_references_it(
    handler, aws, resources, dlq, facility
):
    [template] = fleet(1, facility, random.Random(34), devices=1)
    padded = published_payload({**template, "notes": "x" * (MAX_MESSAGE_BYTES + 10_000)})  # schema_violation
    shard = Shard()
    record = shard.record(padded, template["deviceId"], time.time())
    assert len(padded) > MAX_MESSAGE_BYTES  # as a message body it would not fit

    assert invoke(handler, [record]) == {"batchItemFailures": []}

    [letter] = dlq.drain()
    assert letter["reason"] == "schema_violation"
    assert "payload" not in letter and letter["payloadEncoding"] == "s3"
    location = letter["payloadLocation"]
    sequence_number = record["kinesis"]["sequenceNumber"]
    assert location["bucket"] == resources["ARCHIVE_BUCKET"]
    assert location["key"] == f"dead-letter/{shard.shard_id}/{sequence_number}.bin"
    assert (location["bytes"], location["sha256"]) == (len(padded), hashlib.sha256(padded).hexdigest())
    stored = aws["s3"].get_object(Bucket=location["bucket"], Key=location["key"])
    assert stored["Body"].read() == padded
    assert stored["ServerSideEncryption"] == "aws:kms"
    assert stored["SSEKMSKeyId"] == resources["ARCHIVE_KMS_KEY_ARN"]
    assert len(letter["detail"]) <= 1000

    # A retry of the same batch sends nothing twice (ledger) and leaves the one object as it was.
    assert invoke(handler, [record]) == {"batchItemFailures": []}
    assert dlq.drain() == []


def test_a_dead_letter_just_under_the_limit_still_carries_its_payload(handler, dlq, facility):
    """The payload moves to S3 only when the message would not fit (body and attributes counted)."""
    [template] = fleet(1, facility, random.Random(35), devices=1)
    padded = published_payload({**template, "notes": "y" * (MAX_MESSAGE_BYTES - 4_000)})
    shard = Shard()

    assert invoke(handler, [shard.record(padded, template["deviceId"], time.time())]) == {"batchItemFailures": []}

    [letter] = dlq.drain()
    assert letter["payloadEncoding"] == "utf-8"
    assert base64.b64encode(letter["payload"].encode()) == base64.b64encode(padded)
