"""Transient sink failures: exactly the affected records are retried, and retries never double anything.

Faults are real: error responses injected into the handler's own boto3 clients
(faults.py), so botocore parses and retries them as it would AWS's, and errors
raised by the PostgreSQL server itself (a failing trigger, a terminated backend,
a lock held past the writer's lock_timeout, a port nobody listens on). After each
failure the batch is re-delivered the way Lambda does it for Kinesis: from the
lowest failed sequence number onwards, and then once more in full (as after a
crash), and everything is checked against the reference again.
"""

from __future__ import annotations

import dataclasses
import json
import random
import threading
import time
from datetime import datetime

import pytest

from compliance_tests.processor import faults, sinks_view
from compliance_tests.processor.events import Shard, failed_sequence_numbers, fleet, invoke
from compliance_tests.processor.servers import free_port

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


def assert_everything_counted_once(aws, resources, database, facility, messages) -> None:
    devices = {m["deviceId"] for m in messages}
    stored = sinks_view.stored_aggregates(database, devices)
    sinks_view.assert_aggregates_match(stored, sinks_view.reference_aggregates(messages))
    assert_archive_holds_each_record_once(aws, resources, facility, messages)


def test_a_failed_database_write_fails_its_records_and_redelivery_does_not_double_count(
    handler, aws, resources, dlq, facility, database
):
    """The minute upsert fails in the server: the batch's whole analytics transaction rolls back, every
    record it carried is retried, the other sinks keep what they wrote, and nothing is counted twice."""
    messages = fleet(25, facility, random.Random(3))  # 3 devices, windows :10:00 and :11:00
    shard = Shard()
    records = shard.records(messages, arrival=time.time())

    with faults.postgres_insert_fails(database, "telemetry.minute_aggregates"):
        response = invoke(handler, records)

    assert failed_sequence_numbers(response) == {r["kinesis"]["sequenceNumber"] for r in records}
    assert sinks_view.stored_aggregates(database, {m["deviceId"] for m in messages}) == {}
    for batch in redeliveries(records, response):
        assert invoke(handler, batch) == {"batchItemFailures": []}
        assert_everything_counted_once(aws, resources, database, facility, messages)
    sinks_view.assert_hourly_rollups_match_minutes(database)
    assert dlq.drain() == []


def _writer_backend(database) -> int | None:
    with database.connect(autocommit=True) as connection:
        row = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE usename = 'telemetry_writer' AND wait_event_type = 'Lock'"
        ).fetchone()
    return row[0] if row else None


def _hold_row_lock(database, messages):
    """A second session that holds the lock of one of the batch's minute rows until released."""
    connection = database.connect()
    first = messages[0]
    connection.execute(
        "SELECT 1 FROM telemetry.minute_aggregates WHERE device_id = %s AND metric = 'temperature_c' FOR UPDATE",
        [first["deviceId"]],
    )
    return connection


def test_a_connection_killed_mid_batch_fails_the_batch_and_the_retry_applies_it_once(
    handler, aws, resources, dlq, facility, database
):
    """A failover as the function sees it: its backend is terminated while the batch's transaction waits."""
    messages = fleet(10, facility, random.Random(4), devices=2)
    shard = Shard()
    first, second = messages[:6], messages[6:]
    assert invoke(handler, shard.records(first, arrival=time.time())) == {"batchItemFailures": []}
    records = shard.records(second, arrival=time.time())
    holder = _hold_row_lock(database, messages)
    killed = []

    def kill_when_waiting():
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not killed:
            pid = _writer_backend(database)
            if pid is not None:
                with database.connect(autocommit=True) as connection:
                    connection.execute("SELECT pg_terminate_backend(%s)", [pid])
                killed.append(pid)
            time.sleep(0.02)

    killer = threading.Thread(target=kill_when_waiting)
    killer.start()
    try:
        response = invoke(handler, records)
    finally:
        killer.join()
        holder.rollback()
        holder.close()

    assert killed, "the processor never waited on the held row"
    assert failed_sequence_numbers(response) == {r["kinesis"]["sequenceNumber"] for r in records}
    sinks_view.assert_aggregates_match(
        sinks_view.stored_aggregates(database, {m["deviceId"] for m in messages}),
        sinks_view.reference_aggregates(first),
    )
    for batch in redeliveries(records, response):  # a new connection, the batch applied once
        assert invoke(handler, batch) == {"batchItemFailures": []}
        assert_everything_counted_once(aws, resources, database, facility, messages)
    sinks_view.assert_hourly_rollups_match_minutes(database)


def test_a_lock_timeout_fails_the_batch_with_one_log_line_and_the_retry_applies_it_once(
    handler, aws, resources, dlq, facility, database, caplog
):
    """Another session holds a row past the writer's lock_timeout (3 s, set on the role by the migrations)."""
    messages = fleet(10, facility, random.Random(41), devices=2)
    shard = Shard()
    first, second = messages[:6], messages[6:]
    assert invoke(handler, shard.records(first, arrival=time.time())) == {"batchItemFailures": []}
    records = shard.records(second, arrival=time.time())
    holder = _hold_row_lock(database, messages)
    began = time.monotonic()
    try:
        response = invoke(handler, records)
    finally:
        holder.rollback()
        holder.close()

    assert 2.5 < time.monotonic() - began < 15  # bounded by the lock timeout, not by the holder
    assert failed_sequence_numbers(response) == {r["kinesis"]["sequenceNumber"] for r in records}
    warnings = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Sink analytics")]
    assert warnings == ["Sink analytics: some writes failed"]
    for batch in redeliveries(records, response):
        assert invoke(handler, batch) == {"batchItemFailures": []}
        assert_everything_counted_once(aws, resources, database, facility, messages)


def test_the_database_unreachable_fails_the_analytics_records_and_the_rest_is_written(
    handler, aws, resources, dlq, facility, database, monkeypatch
):
    messages = fleet(4, facility, random.Random(42), devices=1)
    shard = Shard()
    records = shard.records(messages, arrival=time.time())
    settings = dataclasses.replace(handler.SETTINGS, database_port=free_port())
    unreachable = handler.build_processor(
        settings, handler.clients, handler.logger, handler.metrics,
        database_password=lambda: database.passwords["telemetry_writer"],
    )
    monkeypatch.setattr(handler, "processor", unreachable)
    began = time.monotonic()

    response = invoke(handler, records)

    assert time.monotonic() - began < 10
    assert failed_sequence_numbers(response) == {r["kinesis"]["sequenceNumber"] for r in records}
    assert sinks_view.stored_aggregates(database, {messages[0]["deviceId"]}) == {}
    assert_archive_holds_each_record_once(aws, resources, facility, messages)  # the other sinks went on


def test_failed_archive_upload_fails_exactly_that_partition_and_is_archived_once_on_retry(
    handler, aws, resources, dlq, facility, database
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
        assert_everything_counted_once(aws, resources, database, facility, messages)
    assert len(sinks_view.archive(aws["s3"], resources["ARCHIVE_BUCKET"], facility)) == 2


def test_archive_written_but_ledger_not_advanced_is_overwritten_not_duplicated(
    handler, aws, resources, dlq, facility, database
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
        assert_everything_counted_once(aws, resources, database, facility, messages)
    final_objects = sinks_view.archive(aws["s3"], resources["ARCHIVE_BUCKET"], facility)
    hydraulic = [key for key in first_objects if "device_type=hydraulic-press" in key]
    assert len(hydraulic) == 1 and hydraulic[0] in final_objects
    assert len(final_objects[hydraulic[0]]) > len(
        first_objects[hydraulic[0]]
    )  # rebuilt with the newer records


def test_device_retransmissions_are_counted_once_but_archived_as_received(
    handler, aws, resources, dlq, facility, database
):
    messages = fleet(8, facility, random.Random(7), devices=1)
    repeats = [messages[2], messages[5]]  # MQTT QoS 1 redelivery: same device, same sequence
    shard = Shard()
    assert invoke(
        handler, shard.records([*messages[:6], repeats[0], *messages[6:]], arrival=time.time())
    ) == {"batchItemFailures": []}
    assert invoke(handler, shard.records([repeats[1]], arrival=time.time())) == {"batchItemFailures": []}

    stored = sinks_view.stored_aggregates(database, {messages[0]["deviceId"]}
    )
    sinks_view.assert_aggregates_match(stored, sinks_view.reference_aggregates(messages))
    archived = [
        line["message"]["sequence"]
        for lines in sinks_view.archive(aws["s3"], resources["ARCHIVE_BUCKET"], facility).values()
        for line in lines
    ]
    assert sorted(archived) == sorted([m["sequence"] for m in messages] + [r["sequence"] for r in repeats])


def test_a_write_that_loses_a_race_starts_again_and_merges(handler, aws, resources, dlq, facility, database,
                                                          monkeypatch):
    """Another writer creates the aggregate between our locking read and our conditional upsert."""
    messages = fleet(5, facility, random.Random(8), devices=1)
    device, window = messages[0]["deviceId"], sinks_view.window_text(messages[0]["timestamp"])
    rival = dict(messages[0], sequence=9000, metrics={"temperature_c": 70.0})  # applied by the other writer
    writer = handler.processor.pipeline._analytics
    lock = writer._lock
    raced = []

    def lock_then_rival_inserts(connection, groups):
        rows = lock(connection, groups)
        if not raced:
            raced.append(True)
            with database.connect(autocommit=True) as other:
                other.execute(
                    "INSERT INTO telemetry.minute_aggregates (device_id, metric, window_start, facility, device_type,"
                    " count, sum, sum_squares, min, max, applied_sequences, version)"
                    " VALUES (%s, 'temperature_c', %s, %s, %s, 1, 70, 4900, 70, 70, '9000', 1)",
                    [device, datetime.fromisoformat(window.replace("Z", "+00:00")), facility, rival["deviceType"]],
                )
        return rows

    monkeypatch.setattr(writer, "_lock", lock_then_rival_inserts)
    response = invoke(handler, Shard().records(messages, arrival=time.time()))

    assert raced and response == {"batchItemFailures": []}
    stored = sinks_view.stored_aggregates(database, {device})
    sinks_view.assert_aggregates_match(stored, sinks_view.reference_aggregates([*messages, rival]))
    assert stored[(device, "temperature_c", window)]["item"]["version"] == 2
