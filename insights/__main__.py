"""python -m insights --dsn "host=... dbname=telemetry user=telemetry_analyst sslmode=verify-full ..." [--html F]

Prints the plant's operational insights and, with --html, writes them as a page
with charts that opens offline. Connect as the read-only telemetry_analyst role
(on Aurora with an IAM token as the password: ``aws rds generate-db-auth-token``);
libpq's PG* environment variables apply. Exit 0, 2 on a usage error, 3 when the
database cannot be read (one line naming why).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from insights import page, queries


def _table(title: str, header: tuple[str, ...], rows: list[tuple]) -> str:
    lines = [title, "  " + " | ".join(header)]
    lines += ["  " + " | ".join("-" if v is None else str(v) for v in row) for row in rows] or ["  (none)"]
    return "\n".join(lines)


def text(insights: queries.Insights) -> str:
    soonest = [f for f in insights.forecasts if f.hours_to_limit is not None][:20]
    return "\n\n".join([
        _table(f"Time to an operating limit (trend over {insights.hours} h, soonest first)",
               ("device", "metric", "facility", "trend/h", "level", "limit", "hours"),
               [(f.device_id, f.metric, f.facility, f.slope_per_hour, f.level_now,
                 f"{f.limit_side} {f.limit_value}", f.hours_to_limit) for f in soonest]),
        _table("Anomaly rate per facility and hour", ("facility", "hour", "readings", "anomalies", "rate"),
               [(r.facility, r.hour_start.isoformat(), r.readings, r.anomalies, r.rate)
                for r in insights.anomaly_rates]),
        _table(f"Silent devices (no reading for {insights.silent_minutes} min)",
               ("device", "facility", "last window", "silent min"),
               [(s.device_id, s.facility, s.last_reading_window.isoformat(), s.silent_minutes)
                for s in insights.silent]),
        _table("Throughput per facility and hour", ("facility", "hour", "devices", "readings", "per second"),
               [(t.facility, t.hour_start.isoformat(), t.devices, t.readings, t.readings_per_second)
                for t in insights.throughput]),
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m insights", description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default="", help="libpq connection string (default: the PG* environment)")
    parser.add_argument("--hours", type=int, default=24, help="period of the trends, rates and throughput")
    parser.add_argument("--silent-minutes", type=int, default=30, help="a device silent this long is listed")
    parser.add_argument("--at", type=datetime.fromisoformat, default=None, help="end of the period (ISO 8601)")
    parser.add_argument("--html", type=Path, help="also write the page with charts here")
    args = parser.parse_args(argv)
    if args.hours < 1 or args.silent_minutes < 1:
        parser.error("--hours and --silent-minutes must be at least 1")
    at = args.at or datetime.now(UTC)
    try:
        with psycopg.connect(args.dsn, connect_timeout=10) as connection:
            found = queries.collect(connection, at=at, hours=args.hours, silent_minutes=args.silent_minutes)
    except psycopg.Error as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"insights: cannot read the analytics database: {first}", file=sys.stderr)
        return 3
    print(text(found))
    if args.html:
        temporary = args.html.with_name(args.html.name + ".tmp")
        temporary.write_text(page.render(found), encoding="utf-8")
        temporary.replace(args.html)  # atomic: never a half-written page
        print(f"\nwrote {args.html}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
