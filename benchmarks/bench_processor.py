"""Throughput of the telemetry processor on 10,000-record Kinesis batches. Prints figures; asserts nothing.

1. CPU path, one core: decode + validate (every record, the device-identity
   check against the fields the IoT rule adds included: the records are built
   as the rule publishes them), group into one-minute aggregates and summarise
   them, detect anomalies against in-memory baselines. The target is at least
   50,000 records/s.
2. The whole Lambda handler against a moto server, a real redis-server and a
   real PostgreSQL (TLS, migrated) on loopback: a first delivery, then the same batch re-delivered (everything
   already applied: reads, no writes). moto answers one request at a time in
   Python, so this measures the processor's request pattern more than AWS.

Run: .venv/bin/python benchmarks/bench_processor.py [--records N] [--repeat N]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from compliance_tests.processor import postgres, servers  # noqa: E402
from compliance_tests.processor.events import (  # noqa: E402
    FakeLambdaContext,
    Shard,
    hour_start,
    kinesis_event,
    message,
    normal_metrics,
)

servers.add_processor_to_path()

from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord  # noqa: E402
from telemetry_processor.aggregation import group_readings  # noqa: E402
from telemetry_processor.baseline import Baseline  # noqa: E402
from telemetry_processor.config import load_settings  # noqa: E402
from telemetry_processor.detection import AnomalyDetector  # noqa: E402
from telemetry_processor.model import Reading  # noqa: E402
from telemetry_processor.pipeline import classify_record  # noqa: E402
from telemetry_processor.validation import MessageValidator  # noqa: E402

DEVICES = 100


def batch(records: int, shard: Shard) -> list[dict]:
    """``records`` readings from 100 devices (two device types), 0.6 s apart per device: about one minute."""
    rng = random.Random(42)
    start = hour_start(1) + 600
    facility = f"bench-{shard.shard_id[-6:]}"
    messages = [
        message(
            f"bench-{shard.shard_id[-6:]}-{i % DEVICES:03d}",
            sequence=i // DEVICES,
            epoch_seconds=start + 0.6 * (i // DEVICES) + 0.001 * (i % DEVICES),
            metrics=normal_metrics(rng),
            facility=facility,
            device_type="hydraulic-press" if i % 2 else "cnc-mill",
        )
        for i in range(records)
    ]
    return shard.records(messages, arrival=time.time())


def cpu_path(records: list[dict], repeat: int) -> None:
    settings = load_settings(servers.processor_environment())
    validator = MessageValidator(settings.max_future_skew_seconds)
    detector = AnomalyDetector(
        settings.metric_limits,
        settings.zscore_threshold,
        settings.baseline_min_samples,
        settings.baseline_alpha,
    )
    best = {"decode+validate": float("inf"), "aggregate": float("inf"), "detect": float("inf")}
    total = float("inf")
    for _ in range(repeat):
        began = time.process_time()
        classified = [classify_record(KinesisStreamRecord(raw), validator) for raw in records]
        validated = time.process_time()
        readings = [item for item in classified if isinstance(item, Reading)]
        groups = group_readings(readings)
        for group in groups.values():
            stats, _fresh = group.stats_excluding(frozenset())
            stats.mean(), stats.stddev()
        aggregated = time.process_time()
        # The keys the pipeline asks Redis for, and what RedisBaselineStore.load returns for them:
        # one mature baseline per device and metric.
        keys = {(reading.device_id, metric) for reading in readings for metric in reading.metric_micros}
        baselines = {key: Baseline(100, 0.0, 1e12, -1) for key in keys}
        detector.detect(readings, baselines)
        detected = time.process_time()
        for phase, seconds in zip(
            best, (validated - began, aggregated - validated, detected - aggregated), strict=True
        ):
            best[phase] = min(best[phase], seconds)
        total = min(total, detected - began)
    assert len(readings) == len(records)
    phases = ", ".join(f"{phase} {seconds / len(records) * 1e6:.1f}" for phase, seconds in best.items())
    print(
        f"cpu path      {len(records):>6} records  {total * 1000:8.1f} ms  {len(records) / total:>10,.0f} records/s"
        f"  (CPU time, best of {repeat}; us/record: {phases}; {len(groups)} aggregates)"
    )


def whole_handler(records_per_batch: int) -> None:
    with (
        servers.moto_server() as endpoint,
        servers.redis_server() as redis_server,
        postgres.migrated_database() as database,
        servers.environment(servers.aws_environment(endpoint)),
    ):
        env = servers.create_resources(
            servers.aws_clients(), redis_server["port"], redis_server["password"], database.server
        )
        with servers.environment({**env, "LOG_LEVEL": "WARNING"}):
            handler = servers.import_handler(database_password=database.passwords[postgres.WRITER])
            records = batch(records_per_batch, Shard())
            for label in ("first delivery", "re-delivery"):
                began = time.perf_counter()
                with contextlib.redirect_stdout(io.StringIO()):  # the metrics (EMF) line
                    response = handler.lambda_handler(kinesis_event(records), FakeLambdaContext())
                elapsed = time.perf_counter() - began
                assert response == {"batchItemFailures": []}, response
                print(
                    f"handler       {len(records):>6} records  {elapsed * 1000:8.1f} ms  "
                    f"{len(records) / elapsed:>10,.0f} records/s  ({label}, moto + redis + PostgreSQL on loopback)"
                )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cpu_path(batch(args.records, Shard()), args.repeat)
    whole_handler(args.records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
