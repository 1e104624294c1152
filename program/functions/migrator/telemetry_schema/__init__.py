"""The analytics schema in Aurora PostgreSQL, versioned with Alembic: tables, roles, insights.

``upgrade(connect, settings)`` brings any PostgreSQL (15 or later) to the head
revision and is idempotent (a second run is a no-op). It runs at deploy time,
as the database's master user: the migration function (handler.py beside this
package), invoked by ``pulumi up``; and locally with
``python -m telemetry_schema --dsn ... upgrade``. Nothing at runtime uses the
master user: the migrations create the roles that do (ROLES).

Importing the package puts ../vendor on sys.path when it exists (build.sh).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path

_VENDOR = Path(__file__).resolve().parent.parent / "vendor"
if _VENDOR.is_dir() and str(_VENDOR) not in sys.path:
    sys.path.insert(0, str(_VENDOR))

SCHEMA = "telemetry"
OWNER_ROLE = "telemetry_owner"  # NOLOGIN: owns every object; SECURITY DEFINER functions run as it
WRITER_ROLE = "telemetry_writer"  # the processor: writes aggregates and anomalies, nothing else
ANALYST_ROLE = "telemetry_analyst"  # engineers and dashboards: read-only
ROLES = (OWNER_ROLE, WRITER_ROLE, ANALYST_ROLE)
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Deployment settings the migration function writes after upgrading (telemetry.settings).
DEFAULT_SETTINGS = {"minute_retention_days": 90, "hourly_retention_days": 730}


def alembic_config(connection):
    """An Alembic Config for our migrations, running on ``connection`` (a SQLAlchemy Connection)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def engine_for(connect: Callable[[], object]):
    """A SQLAlchemy engine whose connections come from ``connect`` (a psycopg connection factory)."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    return create_engine("postgresql+psycopg://", creator=connect, poolclass=NullPool)


def upgrade(connect: Callable[[], object], settings: Mapping[str, int] | None = None,
            metric_limits: Mapping[str, Mapping[str, float]] | None = None) -> str:
    """Migrate to head, then write the deployment's settings and metric limits; returns the revision.

    Raises the driver's own error (psycopg.Error), not SQLAlchemy's wrapper of it.
    """
    from sqlalchemy.exc import DBAPIError

    try:
        return _upgrade(connect, settings, metric_limits)
    except DBAPIError as error:
        raise error.orig from None


def _upgrade(connect, settings, metric_limits) -> str:
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from sqlalchemy import text

    engine = engine_for(connect)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
        connection.execute(text(f"SET LOCAL ROLE {OWNER_ROLE}"))
        for name, value in {**DEFAULT_SETTINGS, **(settings or {})}.items():
            if name not in DEFAULT_SETTINGS or int(value) < 1:
                raise ValueError(f"setting {name}={value!r}: expected one of {sorted(DEFAULT_SETTINGS)}, >= 1")
            connection.execute(
                text("INSERT INTO telemetry.settings (name, value) VALUES (:name, :value) "
                     "ON CONFLICT (name) DO UPDATE SET value = excluded.value"),
                {"name": name, "value": str(int(value))},
            )
        for metric, bounds in (metric_limits or {}).items():
            connection.execute(
                text("INSERT INTO telemetry.metric_limits (metric, minimum, maximum) VALUES (:m, :lo, :hi) "
                     "ON CONFLICT (metric) DO UPDATE SET minimum = excluded.minimum, maximum = excluded.maximum"),
                {"m": metric, "lo": bounds["min"], "hi": bounds["max"]},
            )
        connection.execute(text("RESET ROLE"))
        revision = MigrationContext.configure(connection, opts={"version_table_schema": SCHEMA}).get_current_revision()
    engine.dispose()
    return revision
