"""What the Redis AUTH rotation tests (IAM-05) run against: the function's own modules, a real redis-server.

- ``rotation_modules()`` imports the function's package from
  ``program/functions/redis_auth_rotation`` as the Lambda runtime does (its
  directory on sys.path), without leaving ``__pycache__`` in the deployment package.
- ``redis_server(token, tls=...)`` runs a real redis-server on loopback whose
  default user requires ``token`` (requirepass), optionally behind TLS with a
  certificate from a throwaway CA, plus an administrator user for the test.
- ``ElastiCacheTokens`` applies ``ModifyReplicationGroup``'s AUTH token change
  to that server as ElastiCache documents it: ROTATE adds the new token (old
  and new both accepted), SET keeps only the given one. It uses Redis ACLs,
  which is how a Redis server holds two passwords for one user.
"""

from __future__ import annotations

import datetime
import importlib
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import redis

from compliance import engine

FUNCTION_DIR = engine.PROGRAM_DIR / "functions" / "redis_auth_rotation"
ADMIN_USER = "harness"


def rotation_modules() -> SimpleNamespace:
    """The function's modules, imported from its code directory (``redis_auth_rotation.*``)."""
    sys.dont_write_bytecode = True  # the directory is the deployment package, archived whole
    if str(FUNCTION_DIR) not in sys.path:
        sys.path.insert(0, str(FUNCTION_DIR))
    names = ("settings", "tokens", "redis_auth", "replication_group", "steps")
    return SimpleNamespace(**{n: importlib.import_module(f"redis_auth_rotation.{n}") for n in names})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class RedisServer:
    host: str
    port: int
    tls: bool
    ca_file: Path | None
    admin_password: str

    def admin(self) -> redis.Redis:
        return redis.Redis(host=self.host, port=self.port, ssl=self.tls, ssl_ca_certs=self.ca_file and str(self.ca_file),
                           username=ADMIN_USER, password=self.admin_password)


def _certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a certificate it signs for localhost: (ca.pem, server.pem, server.key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "rotation-test-ca")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True).sign(ca_key, hashes.SHA256()))
    server = (x509.CertificateBuilder()
              .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
              .issuer_name(ca_name).public_key(server_key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
              .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
              .sign(ca_key, hashes.SHA256()))
    paths = directory / "ca.pem", directory / "server.pem", directory / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
    return paths


@contextmanager
def redis_server(token: str, *, tls_dir: Path | None = None) -> Iterator[RedisServer]:
    """A real redis-server whose default user needs ``token``; with ``tls_dir``, reachable over TLS only."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed: run scripts/bootstrap.sh (Debian package redis-server)")
    port, admin_password = free_port(), secrets.token_hex(16)
    config = ["bind 127.0.0.1", 'save ""', "appendonly no", f"requirepass {token}",
              f"user {ADMIN_USER} on >{admin_password} ~* &* +@all"]
    ca_file = None
    if tls_dir is None:
        config.append(f"port {port}")
    else:
        ca_file, cert, key = _certificates(tls_dir)
        config += ["port 0", f"tls-port {port}", f"tls-cert-file {cert}", f"tls-key-file {key}",
                   f"tls-ca-cert-file {ca_file}", "tls-auth-clients no"]
    process = subprocess.Popen([binary, "-"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, text=True)
    process.stdin.write("\n".join(config) + "\n")
    process.stdin.close()
    server = RedisServer("localhost" if tls_dir else "127.0.0.1", port, tls_dir is not None, ca_file, admin_password)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                server.admin().ping()
                break
            except (redis.ConnectionError, OSError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {port}") from None
                time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=10)


class ElastiCacheTokens:
    """ModifyReplicationGroup's AUTH token change, applied to a real server as ElastiCache documents it."""

    def __init__(self, server: RedisServer) -> None:
        self.server = server
        self.changes: list[str] = []

    def apply(self, params: dict, **_: object) -> None:
        """A botocore ``before-parameter-build.elasticache.ModifyReplicationGroup`` handler."""
        strategy, token = params["AuthTokenUpdateStrategy"], params["AuthToken"]
        admin = self.server.admin()
        if strategy == "ROTATE":
            admin.execute_command("ACL", "SETUSER", "default", "on", f">{token}")
        elif strategy == "SET":
            admin.execute_command("ACL", "SETUSER", "default", "on", "resetpass", f">{token}")
        else:
            raise AssertionError(f"unexpected AuthTokenUpdateStrategy {strategy}")
        self.changes.append(strategy)
