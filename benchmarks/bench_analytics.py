"""The analytics store on a local PostgreSQL (TLS, migrated): processor throughput, upserts, insights. Prints figures.

1. Processor end to end with the PostgreSQL sink: per 10,000-record batch, decode +
   validate (the device-identity check included) + aggregate + detect (CPU path),
   then the analytics transaction (lock, merge, upsert minute and hourly rows,
   anomalies) against the local server, I/O included. Wall time over consecutive
   batches that each open new minute windows, then the same batches re-delivered.
   DynamoDB (device state), S3 (archive), SQS and Redis are not in the loop: against
   moto they measure moto (bench_processor.py has that figure).
2. The aggregate upsert path: rows/s written by the analytics writer in batches of
   2,000 minute rows (each with its hourly rollup), new rows and then updates.
3. Insights over 7 days of 200 devices x 4 metrics at minute resolution (8,064,000
   minute rows, loaded with COPY; hourly rollups rebuilt from them; 0.1% anomalies):
   each insight function, best and median of 5, as the read-only analyst role.

The host's load average is printed at the start, between the phases and at the end.

Run: .venv/bin/python benchmarks/bench_analytics.py [--skip-insights] [--batches N]
psycopg's implementation is chosen by PSYCOPG_IMPL (binary, the default here, or python with libpq).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from compliance_tests.processor import postgres, servers  # noqa: E402
from compliance_tests.processor.events import Shard, message, normal_metrics  # noqa: E402

servers.add_processor_to_path()
postgres.add_migrator_to_path()

import psycopg  # noqa: E402
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord  # noqa: E402
from telemetry_processor.aggregation import group_readings  # noqa: E402
from telemetry_processor.baseline import Baseline  # noqa: E402
from telemetry_processor.config import load_settings  # noqa: E402
from telemetry_processor.database import ConnectionSource  # noqa: E402
from telemetry_processor.detection import AnomalyDetector  # noqa: E402
from telemetry_processor.model import Reading  # noqa: E402
from telemetry_processor.pipeline import classify_record  # noqa: E402
from telemetry_processor.sinks.analytics import AnalyticsWriter  # noqa: E402
from telemetry_processor.validation import MessageValidator  # noqa: E402

DEVICES = 100
SERVER_SETTINGS = {"shared_buffers": "1GB", "maintenance_work_mem": "512MB", "work_mem": "64MB",
                   "max_wal_size": "4GB", "checkpoint_timeout": "30min"}


def analytics_writer(database) -> AnalyticsWriter:
    server = database.server
    return AnalyticsWriter(ConnectionSource(
        host=server.host, port=server.port, dbname=postgres.DATABASE, user=postgres.WRITER, ca_file=server.ca_file,
        password=lambda: database.passwords[postgres.WRITER]))


def batch(records: int, shard: Shard, start: float, tag: str) -> list[dict]:
    """``records`` readings of 100 devices, 0.6 s apart per device: about one minute of the fleet."""
    rng = random.Random(42)
    messages = [
        message(f"bench-{tag}-{i % DEVICES:03d}", sequence=int(start) + i // DEVICES,
                epoch_seconds=start + 0.6 * (i // DEVICES) + 0.001 * (i % DEVICES), metrics=normal_metrics(rng),
                facility=f"bench-{tag}", device_type="hydraulic-press" if i % 2 else "cnc-mill")
        for i in range(records)
    ]
    return shard.records(messages, arrival=time.time())


def end_to_end(database, records: int, batches: int) -> None:
    settings = load_settings(servers.processor_environment())
    validator = MessageValidator(settings.max_future_skew_seconds)
    detector = AnomalyDetector(settings.metric_limits, settings.zscore_threshold, settings.baseline_min_samples,
                               settings.baseline_alpha)
    writer = analytics_writer(database)
    shard, begin = Shard(), time.time() - 3 * 3600
    work = [batch(records, shard, begin + 60 * n, "e2e") for n in range(batches)]
    for label in ("first delivery", "re-delivery"):
        cpu = io_time = 0.0
        began = time.perf_counter()
        for records_of_batch in work:
            started = time.perf_counter()
            classified = [classify_record(KinesisStreamRecord(raw), validator) for raw in records_of_batch]
            readings = [item for item in classified if isinstance(item, Reading)]
            keys = {(r.device_id, metric) for r in readings for metric in r.metric_micros}
            anomalies, _changed = detector.detect(readings, {key: Baseline(100, 0.0, 1e12, -1) for key in keys})
            groups = group_readings(readings)
            computed = time.perf_counter()
            outcome = writer.write(groups, anomalies, True)
            assert not outcome.failed, outcome.errors
            cpu += computed - started
            io_time += time.perf_counter() - computed
        elapsed = time.perf_counter() - began
        total = records * batches
        print(f"end to end    {total:>7} records  {elapsed * 1000:8.1f} ms  {total / elapsed:>10,.0f} readings/s  "
              f"({label}; {batches} batches of {records}: CPU path {cpu * 1000:.0f} ms, PostgreSQL "
              f"{io_time * 1000:.0f} ms)")


def upserts(database, rows_per_batch: int, batches: int) -> None:
    """Minute rows per second through the writer: each batch 2,000 new windows, then the same updated."""
    writer = analytics_writer(database)
    base = int(time.time()) // 3600 * 3600 - 5 * 3600
    devices = rows_per_batch // 20  # 20 windows per device and metric... of one metric
    for label, offset in (("insert", 0), ("update", 1)):
        rows = 0
        began = time.perf_counter()
        for n in range(batches):
            readings = []
            for device in range(devices):
                for window in range(20):
                    when = base + (n * 20 + window) * 60 + offset
                    position_sequence = n * 1000 + window * 2 + offset
                    readings.append(_reading(f"up-{device:04d}", position_sequence, when))
            outcome = writer.write(group_readings(readings), [], True)
            assert not outcome.failed, outcome.errors
            rows += outcome.written
        elapsed = time.perf_counter() - began
        print(f"upsert        {rows:>7} rows     {elapsed * 1000:8.1f} ms  {rows / elapsed:>10,.0f} rows/s  "
              f"({label}: {batches} batches of {rows_per_batch} minute rows + their hourly rollups)")


def _reading(device: str, sequence: int, epoch_seconds: int) -> Reading:
    from telemetry_processor.model import StreamPosition

    position = StreamPosition("shardId-000000000009", str(10**20 + sequence), device, float(epoch_seconds))
    return Reading(position, device, "bench-upsert", "press", epoch_seconds * 1_000_000, sequence,
                   {"temperature_c": 60_000_000 + sequence}, b"{}")


def load_fleet_week(database, devices: int = 200, days: int = 7) -> tuple[datetime, int]:
    """COPY 7 days of minute rows for 200 devices x 4 metrics, rebuild the hourly rollups, analyze."""
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    begin = end - timedelta(days=days)
    metrics = (("temperature_c", 60.0), ("pressure_kpa", 250.0), ("vibration_mm_s", 4.0), ("production_count", 12.0))
    rng = random.Random(7)
    began = time.perf_counter()
    with database.connect() as connection:
        connection.execute("SELECT telemetry.ensure_partitions(%s::date[])",
                           [[(begin + timedelta(days=d)).date() for d in range(days + 2)]])
        connection.commit()
        rows = 0
        with connection.cursor().copy(
                "COPY telemetry.minute_aggregates (device_id, metric, window_start, facility, device_type, count, "
                "sum, sum_squares, min, max, applied_sequences, version) FROM STDIN") as copy:
            for device in range(devices):
                name, facility = f"week-{device:03d}", f"plant-{device % 5}"
                drift = rng.uniform(-0.5, 0.5)
                lines = []
                for minute in range(days * 1440):
                    stamp = (begin + timedelta(minutes=minute)).strftime("%Y-%m-%d %H:%M:00+00")
                    for metric, level in metrics:
                        mean = level + drift * minute / 60 / 24
                        total = round(mean * 15, 6)
                        lines.append(f"{name}\t{metric}\t{stamp}\t{facility}\tpress\t15\t{total}\t"
                                     f"{round(mean * mean * 15, 6)}\t{round(mean - 1, 6)}\t{round(mean + 1, 6)}\t"
                                     f"{minute * 15}-{minute * 15 + 14}\t1\n")
                copy.write("".join(lines))
                rows += len(lines)
        anomalies = 0
        with connection.cursor().copy(
                "COPY telemetry.anomalies (device_id, metric, reading_at, sequence, facility, device_type, value, "
                "reasons, limit_min, limit_max, detection, shard_id, kinesis_sequence_number) FROM STDIN") as copy:
            for number in range(rows // 1000):
                device = rng.randrange(devices)
                when = begin + timedelta(seconds=rng.randrange(days * 86400))
                copy.write(f"week-{device:03d}\tvibration_mm_s\t{when.isoformat()}\t{number}\tplant-{device % 5}\t"
                           f"press\t30.5\t{{above_max}}\t0\t25\tlimits+baseline\tshardId-0\t{number}\n")
                anomalies += 1
        connection.commit()
        loaded = time.perf_counter()
        connection.execute("SELECT telemetry.rebuild_hourly(%s, %s)", [begin, end + timedelta(hours=1)])
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE telemetry.minute_aggregates")
        connection.execute("VACUUM ANALYZE telemetry.hourly_aggregates")
        connection.execute("VACUUM ANALYZE telemetry.anomalies")
    print(f"load          {rows:>7} minute rows and {anomalies} anomalies with COPY in {loaded - began:.1f} s; "
          f"hourly rollups rebuilt and analyzed in {time.perf_counter() - loaded:.1f} s")
    return end, rows


def insights(database, at: datetime) -> None:
    queries = {
        "maintenance_forecast (24 h, every device and metric)": ("maintenance_forecast(%s, %s)", [24, at]),
        "maintenance_forecast (168 h)": ("maintenance_forecast(%s, %s)", [168, at]),
        "anomaly_rate (168 h, per facility and hour)": ("anomaly_rate(%s, %s)", [168, at]),
        "silent_devices (30 min, 7-day look-back)": ("silent_devices(%s, %s)", [30, at]),
        "throughput (168 h, per facility and hour)": ("throughput(%s, %s)", [168, at]),
    }
    with database.connect(postgres.ANALYST) as connection:
        for label, (call, params) in queries.items():
            timings, count = [], 0
            for _ in range(5):
                began = time.perf_counter()
                count = len(connection.execute(f"SELECT * FROM telemetry.{call}", params).fetchall())
                timings.append(time.perf_counter() - began)
            print(f"insight       {label:<52} best {min(timings) * 1000:7.1f} ms  median "
                  f"{statistics.median(timings) * 1000:7.1f} ms  ({count} rows)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--skip-insights", action="store_true")
    args = parser.parse_args()
    print(f"psycopg {psycopg.__version__}, implementation {psycopg.pq.__impl__}, libpq {psycopg.pq.version()}")
    print(load_average("start"))
    with postgres.migrated_database(SERVER_SETTINGS) as database:
        end_to_end(database, args.records, args.batches)
        upserts(database, 2000, args.batches)
        print(load_average("after the write paths"))
        if not args.skip_insights:
            at, _rows = load_fleet_week(database)
            insights(database, at)
            print(load_average("end"))
    return 0


def load_average(when: str) -> str:
    """The host's load (1, 5, 15 minutes) beside the figures: on a shared host it decides how far they carry."""
    one, five, fifteen = os.getloadavg()
    return f"load average ({when}): {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


if __name__ == "__main__":
    sys.exit(main())
