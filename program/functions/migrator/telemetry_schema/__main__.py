"""Run the migrations locally: python -m telemetry_schema --dsn postgresql://... upgrade

The DSN names a user allowed to create roles and schemas (the master user on Aurora).
libpq's environment variables (PGHOST, PGSSLMODE, PGSSLROOTCERT ...) apply as usual.
"""

from __future__ import annotations

import argparse
import sys

import psycopg

from telemetry_schema import upgrade


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m telemetry_schema", description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default="", help="libpq connection string (default: the PG* environment)")
    parser.add_argument("command", choices=["upgrade"])
    args = parser.parse_args(argv)
    try:
        revision = upgrade(lambda: psycopg.connect(args.dsn))
    except psycopg.Error as error:
        print(f"migration failed: {type(error).__name__}: {str(error).strip().splitlines()[0]}", file=sys.stderr)
        return 3
    print(f"telemetry schema at revision {revision}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
