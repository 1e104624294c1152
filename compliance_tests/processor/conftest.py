"""Shared fixtures for the telemetry processor: a moto server, a real redis-server, a real PostgreSQL
(TLS required, migrated to head), the handler.

Everything with a process or a port is package-scoped: started once for these
tests and stopped (environment restored) before other packages' tests run.
"""

from __future__ import annotations

import json
import uuid

import pytest

from compliance_tests.environment import environment
from compliance_tests.processor import postgres, servers

servers.add_processor_to_path()  # before the test modules import telemetry_processor


@pytest.fixture(scope="package")
def moto_endpoint():
    with servers.moto_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="package")
def redis_server():
    try:
        with servers.redis_server() as server:
            yield server
    except RuntimeError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="package")
def database():
    try:
        with postgres.migrated_database() as migrated:
            yield migrated
    except RuntimeError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="package")
def aws(moto_endpoint):
    """Fake credentials and the moto endpoint in the environment (restored afterwards); boto3 clients."""
    with environment(servers.aws_environment(moto_endpoint)):
        yield servers.aws_clients()


@pytest.fixture(scope="package")
def resources(aws, redis_server, database):
    return servers.create_resources(aws, redis_server["port"], redis_server["password"], database.server)


@pytest.fixture(scope="package")
def handler(resources, database):
    """The handler module, imported as Lambda would at cold start (the writer's password for the IAM token)."""
    with environment(resources):
        yield servers.import_handler(database_password=database.passwords[postgres.WRITER])


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
