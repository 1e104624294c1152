"""The analytics schema: migrations from empty to head and again, least-privilege roles, TLS, partitions."""

from __future__ import annotations

import datetime

import psycopg
import pytest
from telemetry_schema import ANALYST_ROLE, WRITER_ROLE, upgrade

from compliance_tests.processor import postgres

pytestmark = pytest.mark.slow

TODAY = datetime.datetime.now(datetime.UTC).date()
HEAD = "0002"


def _objects(database) -> list[tuple]:
    with database.connect() as connection:
        return connection.execute(
            "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'telemetry' ORDER BY 1").fetchall()


def test_a_second_upgrade_is_a_no_op(database):
    before = _objects(database)
    assert upgrade(lambda: database.connect()) == HEAD
    assert _objects(database) == before
    with database.connect() as connection:
        assert connection.execute("SELECT version_num FROM telemetry.alembic_version").fetchall() == [(HEAD,)]


def test_migrations_run_from_the_command_line_against_any_postgresql(database, capsys):
    from telemetry_schema.__main__ import main

    assert main(["--dsn", database.server.dsn(), "upgrade"]) == 0
    assert capsys.readouterr().out.strip() == f"telemetry schema at revision {HEAD}"
    assert main(["--dsn", database.server.dsn(password="wrong"), "upgrade"]) == 3
    assert "migration failed: OperationalError" in capsys.readouterr().err


def test_the_server_refuses_a_connection_without_tls(database):
    dsn = psycopg.conninfo.make_conninfo(database.server.dsn(), sslmode="disable")
    with pytest.raises(psycopg.OperationalError, match="no encryption|SSL off"):
        psycopg.connect(dsn)


def test_the_writer_cannot_drop_create_or_read_other_schemas(database):
    with database.connect(autocommit=True) as owner:
        owner.execute("CREATE TABLE IF NOT EXISTS public.elsewhere (secret text)")
    with database.connect(WRITER_ROLE, autocommit=True) as writer:
        for statement in ("DROP TABLE telemetry.minute_aggregates", "TRUNCATE telemetry.anomalies",
                          "CREATE TABLE telemetry.mine (x int)", "SELECT * FROM public.elsewhere",
                          "SELECT * FROM telemetry.metric_limits", "DELETE FROM telemetry.anomalies"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                writer.execute(statement)
        assert writer.execute("SHOW lock_timeout").fetchone() == ("3s",)
        assert writer.execute("SELECT count(*) FROM telemetry.minute_aggregates").fetchone()[0] >= 0


def test_the_analyst_cannot_write(database):
    with database.connect(ANALYST_ROLE, autocommit=True) as analyst:
        assert analyst.execute("SELECT count(*) FROM telemetry.hourly_aggregates").fetchone()[0] >= 0
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            analyst.execute("INSERT INTO telemetry.settings VALUES ('x', 'y')")
        analyst.execute("SET default_transaction_read_only = off")  # even so: no privilege to write
        for statement in ("INSERT INTO telemetry.settings VALUES ('x', 'y')",
                          "SELECT telemetry.ensure_partitions(ARRAY[current_date])",
                          "DELETE FROM telemetry.minute_aggregates"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                analyst.execute(statement)


def test_partitions_are_made_on_demand_and_refused_beyond_the_retention(database):
    old = TODAY - datetime.timedelta(days=91)
    with database.connect(WRITER_ROLE) as writer:
        [accepted] = writer.execute("SELECT telemetry.ensure_partitions(%s::date[])",
                                    [[TODAY, TODAY + datetime.timedelta(days=1), old]]).fetchone()
        writer.commit()
    assert sorted(accepted) == [TODAY, TODAY + datetime.timedelta(days=1)]
    names = {name for name, _kind in _objects(database)}
    assert f"minute_aggregates_{TODAY:%Y%m%d}" in names and f"anomalies_{TODAY:%Y%m%d}" in names
    assert f"minute_aggregates_{old:%Y%m%d}" not in names


def test_the_retention_job_drops_only_expired_partitions(database):
    expired = TODAY - datetime.timedelta(days=120)
    with database.connect(autocommit=True) as owner:  # as if made while it was recent
        name = f"telemetry.minute_aggregates_{expired:%Y%m%d}"
        owner.execute(f"CREATE TABLE {name} PARTITION OF telemetry.minute_aggregates "
                      f"FOR VALUES FROM ('{expired}') TO ('{expired + datetime.timedelta(days=1)}')")
        owner.execute(f"ALTER TABLE {name} OWNER TO telemetry_owner")
    with database.connect(WRITER_ROLE) as writer:
        writer.execute("SELECT telemetry.ensure_partitions(ARRAY[current_date])")
        [dropped] = writer.execute("SELECT telemetry.apply_retention()").fetchone()
        writer.commit()
    names = {name for name, _kind in _objects(database)}
    assert dropped == 1
    assert f"minute_aggregates_{expired:%Y%m%d}" not in names
    assert f"minute_aggregates_{TODAY:%Y%m%d}" in names


def test_every_statement_of_the_processor_and_the_insights_is_parameterised():
    """No SQL text is built from values: the writer's statements are constants, values go through unnest."""
    from telemetry_processor.sinks import analytics

    for name in ("LOCK_MINUTES", "UPSERT_MINUTES", "ADD_TO_HOURS", "INSERT_ANOMALIES"):
        statement = getattr(analytics, name)
        assert "{" not in statement and "%b" in statement and "%s" not in statement, name  # binary parameters
    assert postgres.WRITER == WRITER_ROLE


def test_a_schema_at_0001_upgrades_to_epoch_sums_with_the_same_forecast_and_downgrades_back(database):
    """Revision 0002 changes how the forecast adds up the hourly sums, not what it answers."""
    from alembic import command
    from telemetry_schema import alembic_config, engine_for

    name = "telemetry_upgrade"
    with database.connect(autocommit=True) as owner:
        owner.execute(f"DROP DATABASE IF EXISTS {name}")
        owner.execute(f"CREATE DATABASE {name}")

    def migrate(step, target: str) -> None:
        engine = engine_for(lambda: database.server.connect(database=name))
        with engine.begin() as connection:
            step(alembic_config(connection), target)
        engine.dispose()

    def forecasts(connection, at) -> list[tuple]:
        return [connection.execute("SELECT * FROM telemetry.maintenance_forecast(%s, %s)", [hours, at]).fetchall()
                for hours in (1, 24, 48)]

    at = datetime.datetime.now(datetime.UTC).replace(second=37, microsecond=0)  # not on a minute: t0 is fractional
    migrate(command.upgrade, "0001")
    with database.server.connect(database=name) as connection:
        connection.execute("SELECT telemetry.ensure_partitions(%s::date[])",
                           [[(at - datetime.timedelta(days=d)).date() for d in range(3)]])
        connection.execute("INSERT INTO telemetry.metric_limits VALUES ('temperature_c', -20, 120)")
        rows = []
        for device, drift in (("dev-up", 0.5), ("dev-down", -0.25)):
            for minute in range(48 * 60):
                when = at - datetime.timedelta(minutes=48 * 60 - minute)
                level = 60 + drift * minute / 60 + (minute % 7) * 0.01
                rows.append((device, "temperature_c", when.replace(second=0), "plant-u", "press", 4, level * 4,
                             level * level * 4, level - 0.5, level + 0.5, f"{minute * 4}-{minute * 4 + 3}", 1))
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO telemetry.minute_aggregates (device_id, metric, window_start, facility, device_type, "
                "count, sum, sum_squares, min, max, applied_sequences, version) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
        connection.execute("SELECT telemetry.rebuild_hourly(%s, %s)",
                           [at - datetime.timedelta(days=3), at + datetime.timedelta(hours=1)])
        connection.commit()
        before = forecasts(connection, at)
    assert {row[0] for row in before[2]} == {"dev-up", "dev-down"}

    migrate(command.upgrade, "head")
    with database.server.connect(database=name) as connection:
        assert forecasts(connection, at) == before
        sums = connection.execute(
            "SELECT sum_t_epoch, sum_t + count * extract(epoch FROM hour_start) / 60, sum_tx_epoch, "
            "sum_tx + sum * extract(epoch FROM hour_start) / 60 FROM telemetry.hourly_aggregates").fetchall()
        assert sums and all(a == b and c == d for a, b, c, d in sums)

    migrate(command.downgrade, "0001")
    with database.server.connect(database=name) as connection:
        assert forecasts(connection, at) == before
        columns = {r[0] for r in connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'hourly_aggregates'")}
        assert "sum_t_epoch" not in columns and "sum_t" in columns
