"""The processor's one PostgreSQL connection: through RDS Proxy, IAM authentication, TLS verified.

In AWS the function connects to the RDS Proxy endpoint as the database role
``telemetry_writer`` with an IAM authentication token as the password (signed
locally by botocore, valid 15 minutes; no password exists anywhere), over TLS
with ``sslmode=verify-full``. RDS Proxy presents a certificate from Amazon's
root CAs (not the RDS CA bundle), so the trust file holds exactly those roots,
cut at cold start from the CA bundle botocore ships in the Lambda runtime.
The token provider is a seam: the tests hand in the password of a local server.

One connection, opened on first use and reused across invocations; a broken one
(failover, reset, killed backend) is dropped and the next batch reconnects.
Every wait is bounded so a batch can never hang past the function's timeout:
connect_timeout, tcp_user_timeout and keepalives on the client; statement_timeout,
lock_timeout and idle_in_transaction_session_timeout on the role (the migrations
set them server-side, which RDS Proxy passes through without pinning sessions).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

import psycopg

# The roots RDS Proxy's certificates chain to (AWS documents these for RDS Proxy TLS).
AMAZON_ROOT_LABELS = (
    "Amazon Root CA 1",
    "Amazon Root CA 2",
    "Amazon Root CA 3",
    "Amazon Root CA 4",
    "Starfield Services Root Certificate Authority - G2",
)
CONNECT_TIMEOUT_SECONDS = 3
TCP_USER_TIMEOUT_MS = 10_000  # a peer that stops acknowledging is given up after 10 s
_PEM_BLOCK = re.compile(r'# Label: "([^"]+)"\n(-----BEGIN CERTIFICATE-----\n.*?-----END CERTIFICATE-----\n)', re.S)


class DatabaseUnavailable(Exception):
    """No usable connection: the batch's analytics writes fail and are retried."""


def amazon_root_bundle(bundle_text: str) -> str:
    """The PEM blocks of Amazon's roots from a Mozilla-style bundle (labelled, as botocore's cacert.pem)."""
    found = {label: pem for label, pem in _PEM_BLOCK.findall(bundle_text) if label in AMAZON_ROOT_LABELS}
    missing = [label for label in AMAZON_ROOT_LABELS if label not in found]
    if missing:
        raise ValueError(f"the CA bundle lacks {', '.join(missing)}: set DATABASE_CA_BUNDLE to a file holding them")
    return "".join(found[label] for label in AMAZON_ROOT_LABELS)


def default_ca_file() -> str:
    """A file with Amazon's roots, written once per cold start from botocore's bundle."""
    import botocore

    source = Path(botocore.__file__).resolve().parent / "cacert.pem"
    target = Path(tempfile.gettempdir()) / "amazon-root-cas.pem"
    text = amazon_root_bundle(source.read_text(encoding="utf-8"))
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(target)  # atomic: a concurrent reader sees the old or the new file, never half
    return str(target)


class RdsIamToken:
    """The password for each new connection: an RDS IAM authentication token (botocore signs it locally)."""

    def __init__(self, rds_client, host: str, port: int, user: str):
        self._client, self._host, self._port, self._user = rds_client, host, port, user

    def __call__(self) -> str:
        return self._client.generate_db_auth_token(DBHostname=self._host, Port=self._port, DBUsername=self._user)


class ConnectionSource:
    """Hands out the reused connection, opening it (with a fresh token) when there is none or it broke."""

    def __init__(self, *, host: str, port: int, dbname: str, user: str, ca_file: str,
                 password: Callable[[], str], connect: Callable[..., psycopg.Connection] = psycopg.connect):
        self._params = {
            "host": host, "port": port, "dbname": dbname, "user": user,
            "sslmode": "verify-full", "sslrootcert": ca_file,
            "connect_timeout": CONNECT_TIMEOUT_SECONDS, "tcp_user_timeout": TCP_USER_TIMEOUT_MS,
            "keepalives": 1, "keepalives_idle": 5, "keepalives_interval": 2, "keepalives_count": 2,
            "application_name": "telemetry-processor",
        }
        self._password = password
        self._connect = connect
        self._connection: psycopg.Connection | None = None

    def get(self) -> psycopg.Connection:
        """An open connection, not in a transaction. Raises DatabaseUnavailable."""
        connection = self._connection
        if connection is not None and not connection.closed and not connection.broken:
            return connection
        self.discard()
        try:
            self._connection = self._connect(**self._params, password=self._password(), autocommit=False)
        except (psycopg.Error, OSError) as error:
            raise DatabaseUnavailable(f"cannot connect to {self._params['host']}:{self._params['port']}: "
                                      f"{type(error).__name__}: {first_line(error)}") from error
        except Exception as error:  # the token provider (botocore) failing: no connection either
            raise DatabaseUnavailable(f"cannot get a database token: {type(error).__name__}") from error
        return self._connection

    def discard_if_broken(self) -> None:
        connection = self._connection
        if connection is not None and (connection.closed or connection.broken):
            self.discard()

    def discard(self) -> None:
        """Drop the connection (after an error that may have left it unusable)."""
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(psycopg.Error):
                connection.close()


def first_line(error: BaseException) -> str:
    """An error's first line: psycopg's messages carry the statement's context on later lines."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
