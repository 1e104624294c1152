"""Fault injection: real error responses through botocore's real path, and real PostgreSQL errors.

A ``before-send`` handler may return an HTTP response instead of letting the
request go out. botocore then parses it, applies its retry policy (standard
mode retries throttling and 5xx, AWS_MAX_ATTEMPTS bounds it) and raises the
modelled exception, exactly as with an answer from AWS.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from botocore.awsrequest import AWSResponse


class _Body:
    def __init__(self, content: bytes):
        self._content = content

    def stream(self, **_kwargs) -> Iterator[bytes]:
        yield self._content


def dynamodb_response(status: int, document: dict) -> AWSResponse:
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "injected-fault"}
    return AWSResponse("https://dynamodb.injected", status, headers, _Body(json.dumps(document).encode()))


def dynamodb_throttling() -> AWSResponse:
    return dynamodb_response(
        400,
        {
            "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
            "message": "The level of configured provisioned throughput for the table was exceeded.",
        },
    )


def s3_slow_down() -> AWSResponse:
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
        b"<Message>Please reduce your request rate.</Message><RequestId>injected</RequestId></Error>"
    )
    return AWSResponse("https://s3.injected", 503, {"Content-Type": "application/xml"}, _Body(body))


def request_text(request) -> str:
    body = request.body
    if body is None:
        return ""
    if hasattr(body, "read"):  # streamed uploads (S3): not needed by our faults
        return ""
    return body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)


@contextmanager
def inject(client, event: str, respond: Callable[[object], AWSResponse | None]) -> Iterator[list]:
    """While active, ``respond(request)`` may answer a request instead of the service.

    Yields the list of requests that were answered by the fault (to prove it fired).
    """
    answered: list = []

    def handler(request, **_kwargs):
        response = respond(request)
        if response is not None:
            answered.append(request)
        return response

    client.meta.events.register_first(event, handler)
    try:
        yield answered
    finally:
        client.meta.events.unregister(event, handler)


@contextmanager
def postgres_insert_fails(database, table: str) -> Iterator[None]:
    """While active, every INSERT into ``table`` raises a real error in the server (a BEFORE trigger)."""
    with database.connect(autocommit=True) as connection:
        connection.execute(
            "CREATE FUNCTION pg_temp_fault() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'injected fault'; END $$"
        )
        connection.execute(f"CREATE TRIGGER injected_fault BEFORE INSERT ON {table} "
                           "FOR EACH ROW EXECUTE FUNCTION pg_temp_fault()")
        try:
            yield
        finally:
            connection.execute(f"DROP TRIGGER injected_fault ON {table}")
            connection.execute("DROP FUNCTION pg_temp_fault()")
