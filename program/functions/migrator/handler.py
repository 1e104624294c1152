"""Lambda entry point of the schema migration (handler ``handler.lambda_handler``), invoked by ``pulumi up``.

Event (the program's aws.lambda_.Invocation input)::

    {"action": "upgrade", "settings": {"minute_retention_days": 90, ...},
     "metricLimits": {"temperature_c": {"min": -40, "max": 150}, ...}}

Reads the cluster's master credentials from the secret RDS manages
(MASTER_SECRET_ARN), connects straight to the cluster with TLS verified
against the RDS CA bundle build.sh put in vendor/, migrates to head and writes
the settings and limits. Returns ``{"revision": ...}``; any failure raises, so
the invocation, and the deployment, fails with one line naming what broke.
The password is never logged or returned.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import boto3
import psycopg
from telemetry_schema import upgrade

RDS_CA_BUNDLE = Path(__file__).resolve().parent / "vendor" / "rds-ca-bundle.pem"


class MigrationError(RuntimeError):
    """The migration did not run to the end; the message names why (never a credential)."""


def lambda_handler(event: dict, _context) -> dict:
    if event.get("action") != "upgrade":
        raise MigrationError(f"unknown action {event.get('action')!r}: the only action is 'upgrade'")
    secret = boto3.client("secretsmanager").get_secret_value(SecretId=os.environ["MASTER_SECRET_ARN"])
    credentials = json.loads(secret["SecretString"])
    params = {
        "host": os.environ["DATABASE_HOST"],
        "port": int(os.environ.get("DATABASE_PORT", "5432")),
        "dbname": os.environ["DATABASE_NAME"],
        "user": credentials["username"],
        "password": credentials["password"],
        "sslmode": "verify-full",
        "sslrootcert": os.environ.get("DATABASE_CA_BUNDLE", str(RDS_CA_BUNDLE)),
        "connect_timeout": 10,
        "application_name": "telemetry-migrator",
    }
    try:
        revision = upgrade(lambda: psycopg.connect(**params), event.get("settings"), event.get("metricLimits"))
    except psycopg.Error as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise MigrationError(f"migration failed: {type(error).__name__}: {first}") from None
    return {"revision": revision}
