"""The four insights, each one parameterised call of its SQL function (no SQL is built from input)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import psycopg


@dataclass(frozen=True)
class Forecast:
    device_id: str
    metric: str
    facility: str
    readings: int
    slope_per_hour: Decimal | None
    level_now: Decimal
    limit_side: str | None
    limit_value: Decimal | None
    hours_to_limit: Decimal | None


@dataclass(frozen=True)
class AnomalyRate:
    facility: str
    hour_start: datetime
    readings: int
    anomalies: int
    rate: Decimal


@dataclass(frozen=True)
class SilentDevice:
    device_id: str
    facility: str
    device_type: str
    last_reading_window: datetime
    silent_minutes: Decimal


@dataclass(frozen=True)
class Throughput:
    facility: str
    hour_start: datetime
    devices: int
    readings: int
    readings_per_second: Decimal


@dataclass(frozen=True)
class Insights:
    at: datetime
    hours: int
    silent_minutes: int
    forecasts: list[Forecast]
    anomaly_rates: list[AnomalyRate]
    silent: list[SilentDevice]
    throughput: list[Throughput]


def collect(connection: psycopg.Connection, *, at: datetime, hours: int, silent_minutes: int) -> Insights:
    def rows(function: str, kind, *params):
        cursor = connection.execute(f"SELECT * FROM telemetry.{function}", params)
        return [kind(*row) for row in cursor.fetchall()]

    return Insights(
        at=at, hours=hours, silent_minutes=silent_minutes,
        forecasts=rows("maintenance_forecast(%s, %s)", Forecast, hours, at),
        anomaly_rates=rows("anomaly_rate(%s, %s)", AnomalyRate, hours, at),
        silent=rows("silent_devices(%s, %s)", SilentDevice, silent_minutes, at),
        throughput=rows("throughput(%s, %s)", Throughput, hours, at),
    )
