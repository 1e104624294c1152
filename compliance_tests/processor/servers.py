"""The processor's surroundings on loopback: a moto server, a redis-server with AUTH, its resources.

Plain context managers, used by the test fixtures (conftest.py) and by
benchmarks/bench_processor.py.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import secrets
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import boto3
import redis

ROOT = Path(__file__).resolve().parents[2]
PROCESSOR_DIR = ROOT / "program" / "functions" / "processor"
REGION = "us-east-1"
METRIC_LIMITS = {
    "temperature_c": {"min": -20, "max": 120},
    "pressure_kpa": {"min": 80, "max": 400},
    "vibration_mm_s": {"min": 0, "max": 25},
    "production_count": {"min": 0, "max": 500},
}
ZSCORE_THRESHOLD = 4.0
BASELINE_MIN_SAMPLES = 20


def add_processor_to_path() -> None:
    """The Lambda's code root: its modules import as top-level names, as in the runtime.

    That directory is also the deployment package, archived whole by the
    program: importing from it must not leave __pycache__ there, or the next
    preview would show the function's code as changed.
    """
    sys.dont_write_bytecode = True
    if str(PROCESSOR_DIR) not in sys.path:
        sys.path.insert(0, str(PROCESSOR_DIR))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processor_environment(overrides: dict[str, str] | None = None) -> dict[str, str]:
    """A complete, valid processor environment (resource names are placeholders)."""
    env = {
        "DEVICES_TABLE": "telemetry-devices-test",
        "IDEMPOTENCY_TABLE": "telemetry-idempotency-test",
        "ARCHIVE_BUCKET": "telemetry-archive-test",
        "ARCHIVE_KMS_KEY_ARN": f"arn:aws:kms:{REGION}:123456789012:key/00000000-0000-0000-0000-000000000000",
        "DLQ_URL": f"https://sqs.{REGION}.amazonaws.com/123456789012/telemetry-dlq-test",
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": "6379",
        "REDIS_AUTH_SECRET_ARN": f"arn:aws:secretsmanager:{REGION}:123456789012:secret:redis-auth-AbCdEf",
        "REDIS_TLS": "false",
        "DATABASE_HOST": "localhost",
        "DATABASE_PORT": "5432",
        "DATABASE_NAME": "telemetry",
        "DATABASE_USER": "telemetry_writer",
        "METRIC_LIMITS": json.dumps(METRIC_LIMITS),
        "ZSCORE_THRESHOLD": str(ZSCORE_THRESHOLD),
        "BASELINE_MIN_SAMPLES": str(BASELINE_MIN_SAMPLES),
        "MAX_FUTURE_SKEW_SECONDS": "300",
        "POWERTOOLS_SERVICE_NAME": "telemetry-processor",
        "POWERTOOLS_METRICS_NAMESPACE": "IotPlatform/Test",
        "LOG_LEVEL": "INFO",
    }
    env.update(overrides or {})
    return env


@contextmanager
def moto_server():
    """A moto server on a free loopback port; yields its endpoint URL."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@contextmanager
def redis_server(password: str | None = None):
    """A real redis-server on loopback that requires a password (AUTH), fed its config on stdin.

    The password is random unless given (e.g. the AUTH token a deployed secret holds).
    """
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(
            "redis-server is not installed: run scripts/bootstrap.sh (Debian package redis-server)"
        )
    port, password = free_port(), password or secrets.token_urlsafe(24)
    config = f'port {port}\nbind 127.0.0.1\nsave ""\nappendonly no\nrequirepass {password}\n'
    process = subprocess.Popen(
        [binary, "-"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True
    )
    process.stdin.write(config)
    process.stdin.close()
    try:
        client = redis.Redis(host="127.0.0.1", port=port, password=password)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"redis-server did not start on 127.0.0.1:{port}") from None
                time.sleep(0.05)
        yield {"port": port, "password": password, "client": client, "process": process}
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def aws_environment(endpoint: str) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_MAX_ATTEMPTS": "2",  # one botocore retry: injected faults stay fast
    }


def aws_clients() -> dict:
    session = boto3.session.Session(region_name=REGION)
    return {name: session.client(name) for name in ("dynamodb", "s3", "sqs", "kms", "secretsmanager")}


def create_resources(aws: dict, redis_port: int, redis_password: str, database=None) -> dict[str, str]:
    """The function's resources, laid out as the Pulumi program declares them; returns its environment.

    ``database`` (postgres.Server, migrated) is where the analytics go: its port and its CA file."""
    env = processor_environment()
    if database is not None:
        env.update(DATABASE_HOST=database.host, DATABASE_PORT=str(database.port), DATABASE_CA_BUNDLE=database.ca_file)
    ddb = aws["dynamodb"]
    tables = (
        (env["DEVICES_TABLE"], ("deviceId",), None),
        (env["IDEMPOTENCY_TABLE"], ("id",), "expiration"),
    )
    for table, keys, ttl in tables:
        ddb.create_table(
            TableName=table,
            KeySchema=[
                {"AttributeName": key, "KeyType": kind}
                for key, kind in zip(keys, ("HASH", "RANGE"), strict=False)
            ],
            AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in keys],
            BillingMode="PAY_PER_REQUEST",
        )
        if ttl:
            ddb.update_time_to_live(
                TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl}
            )
    key_arn = aws["kms"].create_key(Description="archive")["KeyMetadata"]["Arn"]
    aws["s3"].create_bucket(Bucket=env["ARCHIVE_BUCKET"])
    queue_url = aws["sqs"].create_queue(QueueName="telemetry-dlq-test")["QueueUrl"]
    secret_arn = aws["secretsmanager"].create_secret(
        Name="telemetry/redis-auth", SecretString=redis_password
    )["ARN"]
    env.update(
        ARCHIVE_KMS_KEY_ARN=key_arn,
        DLQ_URL=queue_url,
        REDIS_PORT=str(redis_port),
        REDIS_AUTH_SECRET_ARN=secret_arn,
    )
    return env


def import_handler(database_password: str | None = None) -> ModuleType:
    """handler.py imported as Lambda does at cold start (from the current environment), under its own name.

    With ``database_password``, the processor is rebuilt with it in place of the RDS IAM token (the
    seam app.build_processor offers: a local server knows no IAM)."""
    add_processor_to_path()
    spec = importlib.util.spec_from_file_location("telemetry_processor_handler", PROCESSOR_DIR / "handler.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if database_password is not None:
        module.processor = module.build_processor(
            module.SETTINGS, module.clients, module.logger, module.metrics, database_password=lambda: database_password
        )
    return module
