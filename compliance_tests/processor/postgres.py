"""A real PostgreSQL on loopback for the tests and benchmarks: TLS required, a throwaway CA, real roles.

Debian's ``postgresql`` package (binaries under /usr/lib/postgresql/<version>/bin)
is started in a temporary directory: ``initdb``, a server certificate signed by a
CA generated here with ``cryptography`` (SAN localhost and 127.0.0.1), and a
pg_hba.conf that admits only ``hostssl`` connections with SCRAM passwords, so a
client that does not speak TLS is refused, as Aurora with ``rds.force_ssl`` and
RDS Proxy with ``RequireTLS`` refuse it. Clients verify the server
(``sslmode=verify-full`` against the CA file).

PostgreSQL refuses to run as root: as root, the server runs as the ``postgres``
system user the Debian package creates.
"""

from __future__ import annotations

import datetime
import glob
import ipaddress
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from compliance_tests.processor.servers import METRIC_LIMITS, ROOT, free_port

SUPERUSER = "postgres"
DATABASE = "telemetry"
MIGRATOR_DIR = ROOT / "program" / "functions" / "migrator"
WRITER, ANALYST = "telemetry_writer", "telemetry_analyst"


def add_migrator_to_path() -> None:
    if str(MIGRATOR_DIR) not in sys.path:
        sys.path.insert(0, str(MIGRATOR_DIR))


def postgres_bin() -> Path:
    """The newest installed server's bin directory; RuntimeError naming the fix if there is none."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("PostgreSQL is not installed: run scripts/bootstrap.sh (Debian package postgresql)")
    return Path(found[-1]).parent


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    ca_file: str
    superuser_password: str
    directory: str

    def dsn(self, user: str = SUPERUSER, password: str | None = None, database: str = DATABASE) -> str:
        password = self.superuser_password if password is None else password
        return psycopg.conninfo.make_conninfo(
            host=self.host, port=self.port, dbname=database, user=user, password=password,
            sslmode="verify-full", sslrootcert=self.ca_file, connect_timeout=5,
        )

    def connect(self, user: str = SUPERUSER, password: str | None = None, database: str = DATABASE,
                **kwargs) -> psycopg.Connection:
        return psycopg.connect(self.dsn(user, password, database), **kwargs)


def _certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for localhost / 127.0.0.1 signed by it."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "compliance-tests throwaway CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                       critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_file.chmod(0o600)
    return ca_file, cert_file, key_file


def _run_as(user: pwd.struct_passwd | None):
    """A preexec_fn that drops to ``user`` (None: stay who we are)."""
    if user is None:
        return None

    def drop() -> None:
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)

    return drop


@contextmanager
def postgres_server(settings: dict[str, str] | None = None):
    """A PostgreSQL server with TLS required on a free loopback port and a ``telemetry`` database."""
    binaries = postgres_bin()
    as_user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
    directory = Path(tempfile.mkdtemp(prefix="pg-tests-"))
    process = None
    try:
        data = directory / "data"
        password = secrets.token_urlsafe(18)
        (directory / "pwfile").write_text(password)
        ca_file, cert_file, key_file = _certificates(directory)
        ca_file.chmod(0o644)
        if as_user is not None:
            for path in (directory, *directory.iterdir()):
                os.chown(path, as_user.pw_uid, as_user.pw_gid)
        subprocess.run(
            [str(binaries / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=scram-sha-256",
             f"--pwfile={directory / 'pwfile'}", "--encoding=UTF8", "--locale=C.UTF-8"],
            check=True, capture_output=True, preexec_fn=_run_as(as_user),
        )
        (data / "pg_hba.conf").write_text("hostssl all all 127.0.0.1/32 scram-sha-256\n")
        port = free_port()
        options = {
            "listen_addresses": "127.0.0.1", "port": str(port), "unix_socket_directories": str(directory),
            "ssl": "on", "ssl_cert_file": str(cert_file), "ssl_key_file": str(key_file),
            "ssl_min_protocol_version": "TLSv1.2", "fsync": "off", "synchronous_commit": "off",
            "full_page_writes": "off", "shared_buffers": "128MB", "max_connections": "50",
            **(settings or {}),
        }
        command = [str(binaries / "postgres"), "-D", str(data)]
        for name, value in options.items():
            command += ["-c", f"{name}={value}"]
        log = open(directory / "server.log", "wb")  # noqa: SIM115 - closed with the directory
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_run_as(as_user))
        server = Server("localhost", port, str(ca_file), password, str(directory))
        deadline = time.monotonic() + 30
        while True:
            try:
                with server.connect(database="postgres", autocommit=True) as connection:
                    connection.execute(f"CREATE DATABASE {DATABASE}")
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline or process.poll() is not None:
                    tail = (directory / "server.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"PostgreSQL did not start on 127.0.0.1:{port}: {tail}") from None
                time.sleep(0.1)
        yield server
    finally:
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(directory, ignore_errors=True)


def set_login_passwords(server: Server, roles: tuple[str, ...]) -> dict[str, str]:
    """Test-only passwords for the login roles the migrations create (Aurora uses IAM tokens instead)."""
    passwords = {}
    with server.connect(autocommit=True) as connection:
        for role in roles:
            passwords[role] = secrets.token_urlsafe(18)
            connection.execute(
                psycopg.sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    psycopg.sql.Identifier(role), psycopg.sql.Literal(passwords[role]))
            )
    return passwords


@dataclass(frozen=True)
class Database:
    """A migrated server and the test passwords of its login roles."""

    server: Server
    passwords: dict[str, str]

    def connect(self, role: str = SUPERUSER, **kwargs) -> psycopg.Connection:
        return self.server.connect(role, self.passwords.get(role), **kwargs)


@contextmanager
def migrated_database(settings: dict[str, str] | None = None):
    """postgres_server, migrated to head with the tests' metric limits, login roles given passwords."""
    add_migrator_to_path()
    from telemetry_schema import upgrade

    with postgres_server(settings) as server:
        upgrade(lambda: server.connect(), metric_limits=METRIC_LIMITS)
        yield Database(server, set_login_passwords(server, (WRITER, ANALYST)))
