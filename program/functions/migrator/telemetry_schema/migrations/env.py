"""Alembic environment: migrations run on the connection the caller hands over (telemetry_schema.upgrade).

The version table lives in the telemetry schema, created here first (owned by
the migrating user until revision 0001 hands it to the owner role).
"""

from alembic import context
from sqlalchemy import text
from telemetry_schema import SCHEMA

connection = context.config.attributes["connection"]
connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}"))
context.configure(connection=connection, version_table_schema=SCHEMA, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
