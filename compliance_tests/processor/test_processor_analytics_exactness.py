"""The analytics writer's values are exact in PostgreSQL over the schema's whole range, inserted and merged.

The writer hands the statements integers in micro-units and PostgreSQL scales them
(``s * 0.000001``; the lock reads them back as ``sum * 1000000``): no value may
round on the way in, on the way back for a merge, or in the hourly rollup.
"""

from __future__ import annotations

import time
import uuid
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from telemetry_processor.aggregation import group_readings
from telemetry_processor.database import ConnectionSource
from telemetry_processor.model import Reading, StreamPosition
from telemetry_processor.sinks.analytics import AnalyticsWriter

from compliance_tests.processor import postgres

pytestmark = pytest.mark.slow

micros = st.integers(min_value=-273_150_000, max_value=10**15)  # the schema's range, as in the aggregation tests
WINDOW = (int(time.time()) - 3600) // 60 * 60


@pytest.fixture(scope="module")
def writer(database) -> AnalyticsWriter:
    server = database.server
    return AnalyticsWriter(ConnectionSource(
        host=server.host, port=server.port, dbname=postgres.DATABASE, user=postgres.WRITER, ca_file=server.ca_file,
        password=lambda: database.passwords[postgres.WRITER]))


def readings(device: str, values: list[int], first_sequence: int) -> list[Reading]:
    return [Reading(StreamPosition("shardId-000000000001", str(10**20 + first_sequence + i), device, WINDOW + 1.0),
                    device, "plant-exact", "press", (WINDOW + 1) * 1_000_000 + i, first_sequence + i,
                    {"pressure_kpa": value}, b"{}")
            for i, value in enumerate(values)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(micros, min_size=1, max_size=20), st.lists(micros, min_size=1, max_size=20))
def test_extreme_values_are_stored_and_merged_exactly(database, writer, first, second):
    device = f"exact-{uuid.uuid4().hex[:10]}"
    for batch, sequence in ((first, 0), (second, 1000)):  # a new window, then a merge into it
        outcome = writer.write(group_readings(readings(device, batch, sequence)), [], True)
        assert not outcome.failed, outcome.errors
    values = first + second
    with database.connect() as connection:
        minute = connection.execute(
            "SELECT count, sum, sum_squares, min, max FROM telemetry.minute_aggregates WHERE device_id = %s",
            [device]).fetchone()
        hour = connection.execute(
            "SELECT count, sum, sum_squares, min, max, sum_tx FROM telemetry.hourly_aggregates WHERE device_id = %s",
            [device]).fetchone()
    expected = (len(values), Fraction(sum(values), 10**6), Fraction(sum(v * v for v in values), 10**12),
                Fraction(min(values), 10**6), Fraction(max(values), 10**6))
    assert (minute[0], *map(Fraction, minute[1:])) == expected
    assert (hour[0], *map(Fraction, hour[1:5])) == expected
    assert Fraction(hour[5]) == Fraction(sum(values), 10**6) * ((WINDOW % 3600) // 60)
