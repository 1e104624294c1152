"""Shared fixtures for the telemetry processor: a moto server, a real redis-server, the handler.

Everything with a process or a port is package-scoped: started once for these
tests and stopped (environment restored) before other packages' tests run.
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
import uuid
from pathlib import Path

import boto3
import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
PROCESSOR_DIR = ROOT / "program" / "functions" / "processor"
if str(PROCESSOR_DIR) not in sys.path:  # the Lambda's code root: its modules import as top-level
    sys.path.insert(0, str(PROCESSOR_DIR))

REGION = "us-east-1"
METRIC_LIMITS = {
    "temperature_c": {"min": -20, "max": 120},
    "pressure_kpa": {"min": 80, "max": 400},
    "vibration_mm_s": {"min": 0, "max": 25},
    "production_count": {"min": 0, "max": 500},
}
ZSCORE_THRESHOLD = 4.0
BASELINE_MIN_SAMPLES = 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def processor_environment(overrides: dict[str, str] | None = None) -> dict[str, str]:
    """A complete, valid processor environment (resource names are placeholders)."""
    env = {
        "METRICS_TABLE": "telemetry-metrics-test",
        "DEVICES_TABLE": "telemetry-devices-test",
        "IDEMPOTENCY_TABLE": "telemetry-idempotency-test",
        "ARCHIVE_BUCKET": "telemetry-archive-test",
        "ARCHIVE_KMS_KEY_ARN": f"arn:aws:kms:{REGION}:123456789012:key/00000000-0000-0000-0000-000000000000",
        "DLQ_URL": f"https://sqs.{REGION}.amazonaws.com/123456789012/telemetry-dlq-test",
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": "6379",
        "REDIS_AUTH_SECRET_ARN": f"arn:aws:secretsmanager:{REGION}:123456789012:secret:redis-auth-AbCdEf",
        "REDIS_TLS": "false",
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


@pytest.fixture(scope="package")
def moto_endpoint():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(scope="package")
def redis_server():
    """A real redis-server on loopback that requires a password (AUTH), fed its config on stdin."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: run scripts/bootstrap.sh (Debian package redis-server)")
    port, password = free_port(), secrets.token_urlsafe(24)
    config = f'port {port}\nbind 127.0.0.1\nsave ""\nappendonly no\nrequirepass {password}\n'
    process = subprocess.Popen(
        [binary, "-"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True
    )
    process.stdin.write(config)
    process.stdin.close()
    client = redis.Redis(host="127.0.0.1", port=port, password=password)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail(f"redis-server did not start on 127.0.0.1:{port}")
            time.sleep(0.05)
    yield {"port": port, "password": password, "client": client, "process": process}
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="package")
def aws(moto_endpoint):
    """Fake credentials and the moto endpoint in the environment, restored afterwards."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_ACCESS_KEY_ID", "testing")
        patch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        patch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
        patch.setenv("AWS_MAX_ATTEMPTS", "2")  # one botocore retry: injected faults stay fast
        patch.delenv("AWS_PROFILE", raising=False)
        session = boto3.session.Session(region_name=REGION)
        yield {name: session.client(name) for name in ("dynamodb", "s3", "sqs", "kms", "secretsmanager")}


@pytest.fixture(scope="package")
def resources(aws, redis_server):
    """The function's resources, laid out as the Pulumi program declares them."""
    env = processor_environment()
    ddb = aws["dynamodb"]
    ddb.create_table(
        TableName=env["METRICS_TABLE"],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.update_time_to_live(
        TableName=env["METRICS_TABLE"],
        TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiresAt"},
    )
    for table, key, ttl in (
        (env["DEVICES_TABLE"], "deviceId", None),
        (env["IDEMPOTENCY_TABLE"], "id", "expiration"),
    ):
        ddb.create_table(
            TableName=table,
            KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
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
        Name="telemetry/redis-auth", SecretString=redis_server["password"]
    )["ARN"]
    env.update(
        ARCHIVE_KMS_KEY_ARN=key_arn,
        DLQ_URL=queue_url,
        REDIS_PORT=str(redis_server["port"]),
        REDIS_AUTH_SECRET_ARN=secret_arn,
    )
    return env


@pytest.fixture(scope="package")
def handler(resources):
    """The handler module, imported as Lambda would at cold start, under a name of its own."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in resources.items():
            patch.setenv(name, value)
        spec = importlib.util.spec_from_file_location(
            "telemetry_processor_handler", PROCESSOR_DIR / "handler.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module


@pytest.fixture
def facility() -> str:
    """A facility of its own per test: its archive objects live under their own prefix."""
    return f"plant-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def dlq(aws, resources):
    """The dead-letter queue, emptied before the test; ``drain()`` returns the messages' bodies."""
    sqs, url = aws["sqs"], resources["DLQ_URL"]

    class Queue:
        @staticmethod
        def drain() -> list[dict]:
            bodies = []
            while True:
                response = sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=0
                )
                messages = response.get("Messages", [])
                if not messages:
                    return bodies
                for message in messages:
                    body = json.loads(message["Body"])
                    body["attributes"] = {
                        k: v["StringValue"] for k, v in message["MessageAttributes"].items()
                    }
                    bodies.append(body)
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    Queue.drain()  # PurgeQueue is limited to once a minute; receiving and deleting is not
    return Queue()
