"""boto3 clients for the sandbox: one endpoint, one region at a time, dummy credentials, few retries.

moto answers an API it does not implement with HTTP 500, which botocore's
``standard`` mode retries; two attempts keep a missing API from doubling a
deploy's time while still absorbing a one-off hiccup. The credentials are
moto's well-known dummies: the sandbox account is not a real account and must
never see real keys.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config

DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}  # moto's convention
SANDBOX_RETRIES = Config(retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=5, read_timeout=60)


class SandboxClients:
    """Thread-safe cache of boto3 clients against one sandbox endpoint.

    Pulumi registers resources from a thread pool, so handlers ask for clients
    concurrently; a boto3 Session is not thread-safe to create clients from, so
    creation is serialized and the (thread-safe) clients are shared.
    """

    def __init__(self, endpoint: str, region: str, credentials: dict[str, str] | None = None) -> None:
        """``credentials`` (boto3 Session keyword arguments): a member account's, from AssumeRole (the organization)."""
        self.endpoint = endpoint
        self.region = region
        self._session = boto3.session.Session(**(credentials or DUMMY_CREDENTIALS))
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str, region: str | None = None) -> Any:
        key = (service, region or self.region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self._session.client(
                    service, region_name=key[1], endpoint_url=self.endpoint, config=SANDBOX_RETRIES)
            return self._clients[key]
