"""Anomaly detection against the real redis-server, and the fallback when Redis is gone."""

from __future__ import annotations

import dataclasses
import random
import signal
import time
import uuid

import pytest

from compliance_tests.processor import faults, sinks_view
from compliance_tests.processor.events import (
    Shard,
    failed_sequence_numbers,
    fleet,
    hour_start,
    invoke,
    message,
    normal_metrics,
)
from compliance_tests.processor.servers import BASELINE_MIN_SAMPLES, ZSCORE_THRESHOLD, free_port

pytestmark = pytest.mark.slow


def spike_after_warm_up(handler, database, redis_server, facility) -> tuple[Shard, list[dict], list[str], dict]:
    """Two devices' baselines matured on 40 noisy readings each, then 12 more with one +6 degC spike."""
    rng = random.Random(11)
    warm_up = fleet(40, facility, rng, devices=2)
    shard = Shard()
    assert invoke(handler, shard.records(warm_up, arrival=time.time())) == {"batchItemFailures": []}
    devices = sorted({m["deviceId"] for m in warm_up})
    assert all(sinks_view.anomalies(database, device) == [] for device in devices)
    stored = redis_server["client"].hgetall(f"baseline:{devices[0]}:temperature_c")
    assert int(stored[b"n"]) == 40 >= BASELINE_MIN_SAMPLES

    later = fleet(12, facility, rng, devices=2, start=hour_start(2) + 900)
    for m in later:  # same devices, later sequence numbers
        number = int(m["deviceId"].rsplit("-", 1)[1])
        m["deviceId"], m["sequence"] = devices[number], m["sequence"] + 100
    spike = next(m for m in later if m["deviceId"] == devices[0] and m["sequence"] == 1105)
    spike["metrics"]["temperature_c"] = 66.0  # +6 degC: far outside the noise, well inside the 120 degC limit
    return shard, later, devices, spike


def assert_only_the_spike_is_flagged(database, devices) -> None:
    flagged = sinks_view.anomalies(database, devices[0])
    assert [(a["metric"], a["sequence"], a["reasons"], a["detection"]) for a in flagged] == [
        ("temperature_c", 1105, ["zscore"], "limits+baseline")
    ]
    item = flagged[0]["item"]
    assert item["zscore"] > ZSCORE_THRESHOLD
    assert item["baselineSamples"] == 45
    assert abs(item["baselineMean"] - 60.0) < 0.5
    assert sinks_view.anomalies(database, devices[1]) == []


def test_injected_spike_is_flagged_and_normal_noise_is_not(handler, database, redis_server, facility):
    shard, later, devices, _spike = spike_after_warm_up(handler, database, redis_server, facility)
    assert invoke(handler, shard.records(later, arrival=time.time())) == {"batchItemFailures": []}
    assert_only_the_spike_is_flagged(database, devices)


def test_a_spike_whose_anomaly_write_failed_is_flagged_again_on_retry(handler, database, redis_server, facility):
    """The anomaly insert fails (a real PostgreSQL error, raised by a trigger): the transaction carrying the
    batch's aggregates and anomalies rolls back, every record it carried is retried, and the baselines keep
    only readings that will not come back, so the retry scores the spike as before."""
    shard, later, devices, spike = spike_after_warm_up(handler, database, redis_server, facility)
    records = shard.records(later, arrival=time.time())

    with faults.postgres_insert_fails(database, "telemetry.anomalies"):
        response = invoke(handler, records)
    failed = failed_sequence_numbers(response)
    assert failed == {r["kinesis"]["sequenceNumber"] for r in records}
    assert next(r["kinesis"]["sequenceNumber"] for r, m in zip(records, later, strict=True) if m is spike) in failed
    assert sinks_view.anomalies(database, devices[0]) == []

    retry = [r for r in records if int(r["kinesis"]["sequenceNumber"]) >= min(int(f) for f in failed)]
    assert invoke(handler, retry) == {"batchItemFailures": []}
    assert_only_the_spike_is_flagged(database, devices)
    stored = redis_server["client"].hgetall(f"baseline:{devices[0]}:temperature_c")
    assert int(stored[b"n"]) == 40 + 12  # every reading of the device folded in, once


def test_limit_breach_is_flagged_before_any_baseline_exists(handler, aws, resources, facility, database):
    device = f"dev-{uuid.uuid4().hex[:8]}"
    start = hour_start(2) + 1200
    readings = [
        message(device, 1, start, {"pressure_kpa": 250.0}, facility=facility),
        message(device, 2, start + 4, {"pressure_kpa": 412.5, "vibration_mm_s": 3.9}, facility=facility),
    ]
    assert invoke(handler, Shard().records(readings, arrival=time.time())) == {"batchItemFailures": []}
    flagged = sinks_view.anomalies(database, device)
    assert [(a["metric"], a["sequence"], a["reasons"], a["value"]) for a in flagged] == [
        ("pressure_kpa", 2, ["above_max"], 412.5)
    ]
    assert flagged[0]["item"]["limitMax"] == 400


def _batch_with_breach(facility: str) -> list[dict]:
    messages = fleet(25, facility, random.Random(12), devices=1)
    messages[7]["metrics"]["vibration_mm_s"] = 31.0  # above the 25 mm/s limit
    return messages


def _assert_processed_on_limits_only(aws, resources, database, facility, messages, caplog) -> None:
    device = messages[0]["deviceId"]
    stored = sinks_view.stored_aggregates(database, {device})
    sinks_view.assert_aggregates_match(stored, sinks_view.reference_aggregates(messages))
    flagged = sinks_view.anomalies(database, device)
    assert [(a["metric"], a["sequence"], a["reasons"], a["detection"]) for a in flagged] == [
        ("vibration_mm_s", 1007, ["above_max"], "limits-only")
    ]
    archived = [
        line
        for lines in sinks_view.archive(aws["s3"], resources["ARCHIVE_BUCKET"], facility).values()
        for line in lines
    ]
    assert len(archived) == len(messages)
    assert any("Redis unavailable" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("failure", ["connection refused", "wrong AUTH token"])
def test_redis_unavailable_falls_back_to_limits_and_processes_the_batch(
    handler, aws, resources, database, facility, failure, caplog, monkeypatch
):
    settings = handler.SETTINGS
    if failure == "connection refused":
        settings = dataclasses.replace(settings, redis_port=free_port())
    else:
        wrong = aws["secretsmanager"].create_secret(
            Name=f"wrong-{uuid.uuid4().hex}", SecretString="not-the-token"
        )
        settings = dataclasses.replace(settings, redis_auth_secret_arn=wrong["ARN"])
    broken = handler.build_processor(
        settings, handler.clients, handler.logger, handler.metrics,
        database_password=lambda: database.passwords["telemetry_writer"],
    )
    monkeypatch.setattr(handler, "processor", broken)
    messages = _batch_with_breach(facility)

    assert invoke(handler, Shard().records(messages, arrival=time.time())) == {"batchItemFailures": []}

    _assert_processed_on_limits_only(aws, resources, database, facility, messages, caplog)


def test_hung_redis_times_out_falls_back_and_is_used_again_once_back(
    handler, aws, resources, redis_server, facility, caplog, database
):
    messages = _batch_with_breach(facility)
    shard = Shard()
    redis_server["process"].send_signal(signal.SIGSTOP)  # accepts connections, never answers
    try:
        response = invoke(handler, shard.records(messages, arrival=time.time()))
    finally:
        redis_server["process"].send_signal(signal.SIGCONT)
    assert response == {"batchItemFailures": []}
    _assert_processed_on_limits_only(aws, resources, database, facility, messages, caplog)

    device = messages[0]["deviceId"]
    back = [
        message(
            device,
            2000,
            hour_start(2) + 1800,
            dict(normal_metrics(random.Random(13)), vibration_mm_s=40.0),
            facility=facility,
        )
    ]
    assert invoke(handler, shard.records(back, arrival=time.time())) == {"batchItemFailures": []}
    latest = [
        a
        for a in sinks_view.anomalies(database, device)
        if a["sequence"] == 2000
    ]
    assert [a["detection"] for a in latest] == ["limits+baseline"]
    assert redis_server["client"].exists(f"baseline:{device}:vibration_mm_s")
