"""Anomalies in the metrics table, one item per (device, metric, reading).

Item (METRICS_TABLE)::

    pk               "ANOMALY#<deviceId>"
    sk               "<reading timestamp, UTC, microseconds>#<metric>#<device sequence>"
    recordType       "anomaly"
    deviceId, facility, deviceType, metric
    value            N   the reading
    timestamp        S   the reading's time (= start of sk)
    sequence         N   the device sequence number
    reasons          L   of "below_min" | "above_max" | "zscore"
    limitMin, limitMax            N   the operating limits in force
    zscore                        N   when the baseline was used and mature
    baselineMean, baselineStddev, baselineSamples   N   the baseline scored against
    detection        S   "limits+baseline" or "limits-only" (Redis unavailable)
    shardId, kinesisSequenceNumber   S   where the record came from
    detectedAt       S   ISO 8601 UTC
    expiresAt        N   TTL

The key is a function of the reading, so a retry overwrites the same item.
"""

from __future__ import annotations

import math
import time
from decimal import Decimal

from telemetry_processor.detection import Anomaly
from telemetry_processor.sinks import SinkOutcome
from telemetry_processor.sinks.dynamodb import batch_put, number
from telemetry_processor.timestamps import utc_micros_text, utc_seconds_text

LIMITS_AND_BASELINE = "limits+baseline"
LIMITS_ONLY = "limits-only"


def _fixed(value: float) -> dict:
    return number(Decimal(f"{value:.6f}"))


class AnomalyWriter:
    def __init__(self, client, table: str, ttl_days: int):
        self._client = client
        self._table = table
        self._ttl_seconds = ttl_days * 86400

    def write(self, anomalies: list[Anomaly], baseline_used: bool) -> SinkOutcome:
        outcome = SinkOutcome("anomalies")
        items: dict[tuple[str, str], tuple[dict, Anomaly]] = {}
        for anomaly in anomalies:
            item = self._item(anomaly, baseline_used)
            items[(item["pk"]["S"], item["sk"]["S"])] = (item, anomaly)  # duplicates in a batch: one item
        failed = batch_put(self._client, self._table, [item for item, _ in items.values()])
        for item, error in failed:
            anomaly = items[(item["pk"]["S"], item["sk"]["S"])][1]
            outcome.fail([anomaly.reading.position], f"anomaly {item['pk']['S']} {item['sk']['S']}: {error}")
        outcome.written = len(items) - len(failed)
        return outcome

    def _item(self, anomaly: Anomaly, baseline_used: bool) -> dict:
        reading = anomaly.reading
        when = utc_micros_text(reading.timestamp_us)
        item = {
            "pk": {"S": f"ANOMALY#{reading.device_id}"},
            "sk": {"S": f"{when}#{anomaly.metric}#{reading.sequence}"},
            "recordType": {"S": "anomaly"},
            "deviceId": {"S": reading.device_id},
            "facility": {"S": reading.facility},
            "deviceType": {"S": reading.device_type},
            "metric": {"S": anomaly.metric},
            "value": _fixed(anomaly.value),
            "timestamp": {"S": when},
            "sequence": number(reading.sequence),
            "reasons": {"L": [{"S": reason} for reason in anomaly.reasons]},
            "limitMin": number(anomaly.limits.minimum),
            "limitMax": number(anomaly.limits.maximum),
            "detection": {"S": LIMITS_AND_BASELINE if baseline_used else LIMITS_ONLY},
            "shardId": {"S": reading.position.shard_id},
            "kinesisSequenceNumber": {"S": reading.position.sequence_number},
            "detectedAt": {"S": utc_seconds_text(time.time())},
            "expiresAt": number(reading.timestamp_us // 1_000_000 + self._ttl_seconds),
        }
        if anomaly.zscore is not None:
            item["zscore"] = _fixed(anomaly.zscore)
        if anomaly.baseline is not None:
            item["baselineMean"] = _fixed(anomaly.baseline.mean)
            item["baselineStddev"] = _fixed(math.sqrt(anomaly.baseline.variance))
            item["baselineSamples"] = number(anomaly.baseline.samples)
        return item
