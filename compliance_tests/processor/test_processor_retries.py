"""Transient sink failures: exactly the affected records are retried, and retries never double anything.

Faults are real error responses injected into the handler's own boto3 clients
(faults.py), so botocore parses and retries them as it would AWS's. After each
failure the batch is re-delivered the way Lambda does it for Kinesis: from the
lowest failed sequence number onwards, and then once more in full (as after a
crash), and everything is checked against the reference again.
"""

from __future__ import annotations

import json
import random
import time

import pytest

from compliance_tests.processor import faults, sinks_view
from compliance_tests.processor.events import Shard, failed_sequence_numbers, fleet, invoke

pytestmark = pytest.mark.slow


def redeliveries(records: list[dict], response: dict) -> list[list[dict]]:
    """Lambda's retry after a partial failure (from the lowest failed record on), then a full replay."""
    lowest = min(int(number) for number in failed_sequence_numbers(response))
    return [[r for r in records if int(r["kinesis"]["sequenceNumber"]) >= lowest], records]


def sequence_numbers_of(records: list[dict], messages: list[dict], chosen) -> set[str]:
    return {r["kinesis"]["sequenceNumber"] for r, m in zip(records, messages, strict=True) if chosen(m)}


def assert_archive_holds_each_record_once(aws, resources, facility: str, messages: list[dict]) -> None:
    objects = sinks_view.archive(aws["s3"], resources["ARCHIVE_BUCKET"], facility)
    archived = sorted(
        (line["message"]["deviceId"], line["message"]["sequence"])
        for lines in objects.values()
        for line in lines
    )
    assert archived == sorted((m["deviceId"], m["sequence"]) for m in messages)


def assert_everything_counted_once(aws, resources, facility, messages) -> None:
    devices = {m["deviceId"] for m in messages}
    stored = sinks_view.stored_aggregates(aws["dynamodb"], resources["METRICS_TABLE"], devices)
    sinks_view.assert_aggregates_match(stored, sinks_view.reference_aggregates(messages))
    assert_archive_holds_each_record_once(aws, resources, facility, messages)


def test_throttled_aggregate_write_fails_exactly_its_records_and_redelivery_does_not_double_count(
    handler, aws, resources, dlq, facility
):
    messages = fleet(25, facility, random.Random(3))  # 3 devices, windows :10:00 and :11:00
    shard = Shard()
    records = shard.records(messages, arrival=time.time())
    victim = messages[1]["deviceId"]
    window = sinks_view.window_text(messages[1]["timestamp"])

    def throttle(request):
        body = json.loads(faults.request_text(request))
        item = body["Item"]
        hit = item["pk"]["S"] == f"AGG#{victim}#temperature_c" and item["sk"]["S"] == window
        return faults.dynamodb_throttling() if hit else None

    with faults.inject(handler.clients.dynamodb, "before-send.dynamodb.PutItem", throttle) as answered:
        response = invoke(handler, records)

    expected = sequence_numbers_of(
        records,
        messages,
        lambda m: m["deviceId"] == victim and sinks_view.window_text(m["timestamp"]) == window,
    )
    assert len(expected) == 15
    assert failed_sequence_numbers(response) == expected
    assert len(answered) == 2  # botocore retried the throttled write once (AWS_MAX_ATTEMPTS=2), then gave up
    stored = sinks_view.stored_aggregates(aws["dynamodb"], resources["METRICS_TABLE"], {victim})
    assert (victim, "temperature_c", window) not in stored
    assert len(stored) == 7  # its other metric/window aggregates were written

    for batch in redeliveries(records, response):
        assert invoke(handler, batch) == {"batchItemFailures": []}
        assert_everything_counted_once(aws, resources, facility, messages)
    assert dlq.drain() == []


def test_unprocessed_anomaly_items_fail_exactly_their_records(handler, aws, resources, dlq, facility):
    messages = fleet(6, facility, random.Random(4), devices=2)
    for m in messages[::3]:  # every third reading runs hot: above the 120 degC operating limit
        m["metrics"]["temperature_c"] = 130.5
    shard = Shard()
    records = shard.records(messages, arrival=time.time())
    victim = messages[0]["deviceId"]
    table = resources["METRICS_TABLE"]

    def leave_victims_unprocessed(request):
        """DynamoDB's partial success: write the other items, hand back the victim's as unprocessed."""
        requests = json.loads(faults.request_text(request))["RequestItems"][table]
        kept = [r for r in requests if r["PutRequest"]["Item"]["deviceId"]["S"] == victim]
        others = [r for r in requests if r not in kept]
        if not kept:
            return None
        if others:
            aws["dynamodb"].batch_write_item(RequestItems={table: others})
        return faults.dynamodb_response(200, {"UnprocessedItems": {table: kept}})

    with faults.inject(
        handler.clients.dynamodb, "before-send.dynamodb.BatchWriteItem", leave_victims_unprocessed
    ):
        response = invoke(handler, records)

    hot = sequence_numbers_of(records, messages, lambda m: m["metrics"]["temperature_c"] > 120)
    expected = sequence_numbers_of(
        records, messages, lambda m: m["deviceId"] == victim and m["metrics"]["temperature_c"] > 120
    )
    assert expected and expected < hot
    assert failed_sequence_numbers(response) == expected
    assert sinks_view.anomalies(aws["dynamodb"], table, victim) == []

    for batch in redeliveries(records, response):
        assert invoke(handler, batch) == {"batchItemFailures": []}
    for device in {m["deviceId"] for m in messages}:
        found = sinks_view.anomalies(aws["dynamodb"], table, device)
        want = sorted(
            m["sequence"] for m in messages if m["deviceId"] == device and m["metrics"]["temperature_c"] > 120
        )
        assert sorted(a["sequence"] for a in found) == want
        assert all(a["reasons"][0] == "above_max" and a["metric"] == "temperature_c" for a in found)
    assert_everything_counted_once(aws, resources, facility, messages)


def test_failed_archive_upload_fails_exactly_that_partition_and_is_archived_once_on_retry(
    handler, aws, resources, dlq, facility
):
    messages = fleet(10, facility, random.Random(5))
    shard = Shard()
    records = shard.records(messages, arrival=time.time())

    def slow_down(request):
        return (
            faults.s3_slow_down()
            if "device_type%3Dcnc-mill" in request.url or "device_type=cnc-mill" in request.url
            else None
        )

    with faults.inject(handler.clients.s3, "before-send.s3.PutObject", slow_down) as answered:
        response = invoke(handler, records)

    assert answered  # the fault fired
    assert failed_sequence_numbers(response) == sequence_numbers_of(
        records, messages, lambda m: m["deviceType"] == "cnc-mill"
    )
    for batch in redeliveries(records, response):
        assert invoke(handler, batch) == {"batchItemFailures": []}
        assert_everything_counted_once(aws, resources, facility, messages)
    assert len(sinks_view.archive(aws["s3"], resources["ARCHIVE_BUCKET"], facility)) == 2


def test_archive_written_but_ledger_not_advanced_is_overwritten_not_duplicated(
    handler, aws, resources, dlq, facility
):
    """The crash window between the S3 upload and the ledger update.

    The retry batch also carries records that arrived meanwhile (Lambda's retry
    reads on from the failed record): the object is rebuilt under the same name
    with more lines, never written a second time beside the first.
    """
    messages = fleet(14, facility, random.Random(6))
    shard = Shard()
    records = shard.records(messages, arrival=time.time())
    first_delivery = records[:30]

    def fail_ledger(request):
        ledger_id = json.loads(faults.request_text(request)).get("Key", {}).get("id", {}).get("S", "")
        hit = ledger_id.startswith(
            f"archive#{shard.shard_id}#facility={facility}/device_type=hydraulic-press"
        )
        return faults.dynamodb_throttling() if hit else None

    with faults.inject(handler.clients.dynamodb, "before-send.dynamodb.UpdateItem", fail_ledger) as answered:
        response = invoke(handler, first_delivery)

    assert answered
    assert failed_sequence_numbers(response) == sequence_numbers_of(
        first_delivery, messages[:30], lambda m: m["deviceType"] == "hydraulic-press"
    )
    first_objects = sinks_view.archive(aws["s3"], resources["ARCHIVE_BUCKET"], facility)
    assert len(first_objects) == 2  # the uploads themselves succeeded
    lowest = min(int(n) for n in failed_sequence_numbers(response))
    retry = [r for r in records if int(r["kinesis"]["sequenceNumber"]) >= lowest]
    assert (
        len(retry) > len(first_delivery) - 1
    )  # from the failed record on, plus the records that arrived since
    for batch in (retry, records):
        assert invoke(handler, batch) == {"batchItemFailures": []}
        assert_everything_counted_once(aws, resources, facility, messages)
    final_objects = sinks_view.archive(aws["s3"], resources["ARCHIVE_BUCKET"], facility)
    hydraulic = [key for key in first_objects if "device_type=hydraulic-press" in key]
    assert len(hydraulic) == 1 and hydraulic[0] in final_objects
    assert len(final_objects[hydraulic[0]]) > len(
        first_objects[hydraulic[0]]
    )  # rebuilt with the newer records


def test_device_retransmissions_are_counted_once_but_archived_as_received(
    handler, aws, resources, dlq, facility
):
    messages = fleet(8, facility, random.Random(7), devices=1)
    repeats = [messages[2], messages[5]]  # MQTT QoS 1 redelivery: same device, same sequence
    shard = Shard()
    assert invoke(
        handler, shard.records([*messages[:6], repeats[0], *messages[6:]], arrival=time.time())
    ) == {"batchItemFailures": []}
    assert invoke(handler, shard.records([repeats[1]], arrival=time.time())) == {"batchItemFailures": []}

    stored = sinks_view.stored_aggregates(
        aws["dynamodb"], resources["METRICS_TABLE"], {messages[0]["deviceId"]}
    )
    sinks_view.assert_aggregates_match(stored, sinks_view.reference_aggregates(messages))
    archived = [
        line["message"]["sequence"]
        for lines in sinks_view.archive(aws["s3"], resources["ARCHIVE_BUCKET"], facility).values()
        for line in lines
    ]
    assert sorted(archived) == sorted([m["sequence"] for m in messages] + [r["sequence"] for r in repeats])


def test_a_write_that_loses_a_race_is_read_again_and_merged(handler, aws, resources, dlq, facility):
    """Another writer creates the aggregate between our read and our conditional put."""
    messages = fleet(5, facility, random.Random(8), devices=1)
    device, window = messages[0]["deviceId"], sinks_view.window_text(messages[0]["timestamp"])
    rival = dict(messages[0], sequence=9000, metrics={"temperature_c": 70.0})  # applied by the other writer
    table = resources["METRICS_TABLE"]
    rival_item = {
        "pk": {"S": f"AGG#{device}#temperature_c"},
        "sk": {"S": window},
        "deviceId": {"S": device},
        "metric": {"S": "temperature_c"},
        "count": {"N": "1"},
        "sum": {"N": "70"},
        "sumSquares": {"N": "4900"},
        "min": {"N": "70"},
        "max": {"N": "70"},
        "mean": {"N": "70"},
        "stddev": {"N": "0"},
        "appliedSequences": {"S": "9000"},
        "version": {"N": "1"},
    }
    raced = []

    def race(request):
        item = json.loads(faults.request_text(request))["Item"]
        if item["pk"] == rival_item["pk"] and not raced:
            raced.append(True)
            aws["dynamodb"].put_item(TableName=table, Item=rival_item)  # lands first; our request goes on
        return None

    with faults.inject(handler.clients.dynamodb, "before-send.dynamodb.PutItem", race):
        response = invoke(handler, Shard().records(messages, arrival=time.time()))

    assert raced and response == {"batchItemFailures": []}
    stored = sinks_view.stored_aggregates(aws["dynamodb"], table, {device})
    sinks_view.assert_aggregates_match(stored, sinks_view.reference_aggregates([*messages, rival]))
    assert stored[(device, "temperature_c", window)]["item"]["version"] == {"N": "2"}
