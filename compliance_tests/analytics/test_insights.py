"""Operational insights on known data, written through the processor's own analytics writer.

A device whose temperature drifts linearly gets the right slope and time to its
limit (within 1%), over 6 hours of readings every 10 s and over a week (168 hours,
the benchmark's window) of one reading a minute; a device that stopped reporting is listed as silent, the
anomaly rate per facility and hour is the anomalies written over the readings
written, and the CLI prints them and writes a page that loads nothing.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from telemetry_processor.aggregation import group_readings
from telemetry_processor.config import MetricLimits
from telemetry_processor.database import ConnectionSource
from telemetry_processor.detection import Anomaly
from telemetry_processor.model import Reading, StreamPosition
from telemetry_processor.sinks.analytics import AnalyticsWriter

from compliance_tests.processor import postgres
from compliance_tests.processor.servers import METRIC_LIMITS

pytestmark = pytest.mark.slow

AT = datetime.now(UTC).replace(minute=30, second=0, microsecond=0) - timedelta(hours=1)
SLOPE = 2.0  # degC per hour
START_LEVEL = 50.0
HOURS = 6


def writer(database) -> AnalyticsWriter:
    server = database.server
    return AnalyticsWriter(ConnectionSource(
        host=server.host, port=server.port, dbname=postgres.DATABASE, user=postgres.WRITER, ca_file=server.ca_file,
        password=lambda: database.passwords[postgres.WRITER]), clock=lambda: AT.timestamp())


def reading(device: str, facility: str, sequence: int, when: datetime, metrics: dict[str, float]) -> Reading:
    position = StreamPosition("shardId-000000000001", str(10**20 + sequence), device, when.timestamp())
    return Reading(position, device, facility, "temperature", int(when.timestamp() * 1_000_000), sequence,
                   {name: round(value * 1_000_000) for name, value in metrics.items()}, b"{}")


@pytest.fixture(scope="module")
def plant(database):
    """Six hours of readings every 10 s: one drifting device, one steady, one silent for 40 minutes; and
    anomalies on the steady one."""
    facility = f"plant-{uuid.uuid4().hex[:6]}"
    drifting, steady, silent = (f"{facility}-{name}" for name in ("drift", "steady", "silent"))
    begin = AT - timedelta(hours=HOURS)
    readings = []
    for step in range(HOURS * 360):
        when = begin + timedelta(seconds=10 * step)
        hours = (when - begin).total_seconds() / 3600
        sequence = step + 1
        readings.append(reading(drifting, facility, sequence, when, {"temperature_c": START_LEVEL + SLOPE * hours}))
        readings.append(reading(steady, facility, sequence, when, {"temperature_c": 60.0, "vibration_mm_s": 4.0}))
        if when < AT - timedelta(minutes=40):
            readings.append(reading(silent, facility, sequence, when, {"temperature_c": 61.0}))
    flagged = [r for r in readings if r.device_id == steady][::500]
    limits = MetricLimits(Decimal("-20"), Decimal("120"))
    anomalies = [Anomaly(r, "vibration_mm_s", 4.0, ("zscore",), limits, None, 5.0) for r in flagged]
    sink = writer(database)
    for start in range(0, len(readings), 5000):  # batches, as the stream delivers them
        batch = readings[start:start + 5000]
        ids = {id(r) for r in batch}
        outcome = sink.write(group_readings(batch), [a for a in anomalies if id(a.reading) in ids], True)
        assert not outcome.failed, outcome.errors
    return {"facility": facility, "drifting": drifting, "steady": steady, "silent": silent,
            "readings": readings, "anomalies": anomalies}


def analyst(database):
    return database.connect(postgres.ANALYST)


def test_a_linear_drift_gets_its_slope_and_time_to_limit_within_one_percent(database, plant):
    from insights import queries

    with analyst(database) as connection:
        found = queries.collect(connection, at=AT, hours=HOURS, silent_minutes=30)
    [forecast] = [f for f in found.forecasts if f.device_id == plant["drifting"]]
    assert forecast.metric == "temperature_c" and forecast.limit_side == "max"
    assert forecast.limit_value == METRIC_LIMITS["temperature_c"]["max"]
    assert float(forecast.slope_per_hour) == pytest.approx(SLOPE, rel=0.01)
    level_now = START_LEVEL + SLOPE * HOURS
    assert float(forecast.level_now) == pytest.approx(level_now, rel=0.01)
    expected_hours = (METRIC_LIMITS["temperature_c"]["max"] - level_now) / SLOPE
    assert float(forecast.hours_to_limit) == pytest.approx(expected_hours, rel=0.01)
    [flat] = [f for f in found.forecasts if f.device_id == plant["steady"] and f.metric == "temperature_c"]
    assert flat.slope_per_hour == 0 and flat.hours_to_limit is None  # not moving towards a limit


WEEK_HOURS = 168
WEEK_SLOPE = 0.5  # degC per hour: 20 -> 104 over the week, 32 hours from the 120 degC limit
WEEK_START_LEVEL = 20.0


@pytest.fixture(scope="module")
def week(database):
    """A week of one reading a minute from one drifting device, written through the processor's writer."""
    device = f"week-{uuid.uuid4().hex[:6]}-drift"
    begin = AT - timedelta(hours=WEEK_HOURS)
    readings = [reading(device, "plant-week", minute + 1, begin + timedelta(minutes=minute),
                        {"temperature_c": WEEK_START_LEVEL + WEEK_SLOPE * minute / 60})
                for minute in range(WEEK_HOURS * 60)]
    sink = writer(database)
    for start in range(0, len(readings), 5000):
        outcome = sink.write(group_readings(readings[start:start + 5000]), [], True)
        assert not outcome.failed, outcome.errors
    return device


def test_a_linear_drift_over_a_week_gets_its_slope_and_time_to_limit_within_one_percent(database, week):
    from insights import queries

    with analyst(database) as connection:
        found = queries.collect(connection, at=AT, hours=WEEK_HOURS, silent_minutes=30)
    [forecast] = [f for f in found.forecasts if f.device_id == week]
    first_bucket = AT.replace(minute=0) - timedelta(hours=WEEK_HOURS - 1)  # the last 168 hours, the current one too
    assert forecast.readings == (AT - first_bucket) // timedelta(minutes=1) and forecast.limit_side == "max"
    assert float(forecast.slope_per_hour) == pytest.approx(WEEK_SLOPE, rel=0.01)
    level_now = WEEK_START_LEVEL + WEEK_SLOPE * WEEK_HOURS
    assert float(forecast.level_now) == pytest.approx(level_now, rel=0.01)
    expected_hours = (METRIC_LIMITS["temperature_c"]["max"] - level_now) / WEEK_SLOPE
    assert float(forecast.hours_to_limit) == pytest.approx(expected_hours, rel=0.01)


def test_a_silent_device_is_listed_and_the_reporting_ones_are_not(database, plant):
    from insights import queries

    with analyst(database) as connection:
        found = queries.collect(connection, at=AT, hours=HOURS, silent_minutes=30)
    mine = [s for s in found.silent if s.facility == plant["facility"]]
    assert [s.device_id for s in mine] == [plant["silent"]]
    assert 39 <= float(mine[0].silent_minutes) <= 41


def test_anomaly_rates_match_the_anomalies_written(database, plant):
    from insights import queries

    with analyst(database) as connection:
        found = queries.collect(connection, at=AT, hours=HOURS, silent_minutes=30)
    rates = [r for r in found.anomaly_rates if r.facility == plant["facility"]]
    expected_readings: dict[datetime, int] = {}
    expected_anomalies: dict[datetime, int] = {}
    for r in plant["readings"]:
        hour = datetime.fromtimestamp(r.timestamp_us // 1_000_000 // 3600 * 3600, UTC)
        expected_readings[hour] = expected_readings.get(hour, 0) + len(r.metric_micros)
    for a in plant["anomalies"]:
        hour = datetime.fromtimestamp(a.reading.timestamp_us // 1_000_000 // 3600 * 3600, UTC)
        expected_anomalies[hour] = expected_anomalies.get(hour, 0) + 1
    in_period = {h for h in expected_readings if h > AT.replace(minute=0) - timedelta(hours=HOURS)}
    assert {r.hour_start for r in rates} == in_period
    for r in rates:
        assert (r.readings, r.anomalies) == (expected_readings[r.hour_start], expected_anomalies.get(r.hour_start, 0))
        assert r.rate == round(Decimal(r.anomalies) / r.readings, 6)
    throughput = {t.hour_start: t for t in found.throughput if t.facility == plant["facility"]}
    assert {h: t.readings for h, t in throughput.items()} == {h: expected_readings[h] for h in in_period}


def test_the_cli_prints_the_insights_and_writes_a_page_that_loads_nothing(database, plant, tmp_path, capsys):
    from insights.__main__ import main

    page = tmp_path / "insights.html"
    dsn = database.server.dsn(postgres.ANALYST, database.passwords[postgres.ANALYST])
    assert main(["--dsn", dsn, "--hours", str(HOURS), "--at", AT.isoformat(), "--html", str(page)]) == 0
    printed = capsys.readouterr().out
    assert plant["drifting"] in printed and plant["silent"] in printed
    html = page.read_text()
    assert html.count("<svg") == 2 and plant["facility"] in html
    loads = r"<script|<link|<img|<iframe|@import|url\(|(src|href)\s*=\s*[\"']?(https?:)?//"
    assert not re.search(loads, re.sub(r"<!--.*?-->", "", html, flags=re.S)), "the page must load nothing"
    assert main(["--dsn", database.server.dsn(postgres.ANALYST, "wrong")]) == 3
    assert capsys.readouterr().err.startswith("insights: cannot read the analytics database:")
