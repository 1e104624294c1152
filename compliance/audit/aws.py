"""The audit's only door to AWS: boto3 clients built from one session and one optional endpoint.

There is no sandbox branch anywhere in the audit: against a real account the
session resolves credentials through the standard chain (profiles, environment,
roles) and ``endpoint_url`` is None; against the sandbox the same code gets an
endpoint URL. Retries use botocore's own modes (``standard`` or ``adaptive``)
with a bounded number of attempts; keep it low against a moto endpoint, which
answers unimplemented APIs with HTTP 500 that botocore would otherwise retry.

Every call goes through ``AwsAccess.call`` or ``AwsAccess.pages`` so that any
failure becomes an ``ApiError`` naming the API and the fix: access denied,
throttled past retries, endpoint unreachable, or an unexpected answer. A check
that meets an ``ApiError`` reports ``error`` for what it could not decide,
never ``pass``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

from compliance.audit.permissions import iam_action

ACCESS_DENIED_CODES = frozenset({
    "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
    "UnrecognizedClientException", "InvalidClientTokenId", "ExpiredToken", "ExpiredTokenException",
    "AuthFailure", "NotAuthorized", "UnauthorizedException", "Forbidden",
})
THROTTLING_CODES = frozenset({
    "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
    "TooManyRequestsException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
    "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown",
    "EC2ThrottledException",
})
RETRY_MODES = ("standard", "adaptive")
# Listings whose answer leaves the result key out when there is nothing to list (SQS ListQueues: "QueueUrls"
# is returned only when queues exist). Any other page without its key is an unexpected answer.
OMITTED_WHEN_EMPTY = frozenset({("sqs", "ListQueues")})


@dataclass(frozen=True)
class RetryPolicy:
    mode: str = "standard"
    max_attempts: int = 3  # attempts per call, the first included
    connect_timeout: float = 5.0
    read_timeout: float = 30.0

    def config(self) -> Config:
        """The botocore client config; each client keeps its own adaptive rate (one throttled account's)."""
        return Config(
            # total_max_attempts counts the first try, like AWS_MAX_ATTEMPTS (botocore's max_attempts does not)
            retries={"mode": self.mode, "total_max_attempts": self.max_attempts},
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
        )


class ApiError(Exception):
    """An AWS call that did not give an answer the audit can decide on.

    ``kind`` is one of access_denied, throttled, unreachable, unexpected, and
    ``message`` one line naming the API and what to do about it.
    """

    def __init__(self, api: str, kind: str, message: str, code: str = "") -> None:
        super().__init__(message)
        self.api = api
        self.kind = kind
        self.code = code
        self.message = message


def api_name(service: str, operation: str) -> str:
    return f"{service}:{operation}"


def classify(service: str, operation: str, exc: Exception, endpoint_url: str | None,
             retry: RetryPolicy) -> ApiError:
    """Turn a botocore exception into an ApiError whose message names the fix."""
    api = api_name(service, operation)
    where = endpoint_url or f"the {service} endpoint"
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in ACCESS_DENIED_CODES:
            return ApiError(api, "access_denied",
                            f"{api} denied ({code}): grant {iam_action(service, operation)} to the auditor role "
                            "(compliance/audit/auditor-policy.json)", code)
        if code in THROTTLING_CODES:
            return ApiError(api, "throttled",
                            f"{api} throttled ({code}) after {retry.max_attempts} attempts: retry later, lower "
                            "--concurrency or raise --max-attempts", code)
        return ApiError(api, "unexpected",
                        f"{api} failed ({code or 'no error code'}, HTTP {status}): unexpected answer from {where}; "
                        "check that the API is available there", code)
    if isinstance(exc, (EndpointConnectionError, ConnectTimeoutError, ConnectionClosedError, ReadTimeoutError)):
        return ApiError(api, "unreachable",
                        f"{api} could not reach {where} ({type(exc).__name__}): check --endpoint-url, the "
                        "network and the region", type(exc).__name__)
    if isinstance(exc, NoCredentialsError):
        return ApiError(api, "access_denied",
                        f"{api}: no AWS credentials found: configure a profile, environment variables or a role",
                        "NoCredentials")
    return ApiError(api, "unexpected", f"{api} failed ({type(exc).__name__}: {exc}): unexpected answer from {where}",
                    type(exc).__name__)


class AwsAccess:
    """Thread-safe cache of clients per (service, region) built from one session.

    boto3 sessions are not thread-safe, clients are: clients are created under a
    lock, then shared by the worker threads.
    """

    def __init__(self, session: boto3.Session, endpoint_url: str | None, retry: RetryPolicy,
                 home_region: str) -> None:
        """``home_region`` signs calls to global services (IAM, STS), which are made with region ""."""
        if retry.mode not in RETRY_MODES:
            raise ValueError(f"retry mode {retry.mode!r}: expected one of {RETRY_MODES}")
        self.session = session
        self.home_region = home_region
        self.endpoint_url = endpoint_url
        self.retry = retry
        self._config = retry.config()
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def stop(self) -> None:
        """After an interrupt: every later call fails at once instead of reaching AWS."""
        self._stopped.set()

    def _check_running(self, service: str, operation: str) -> None:
        if self._stopped.is_set():
            raise ApiError(api_name(service, operation), "interrupted", f"{api_name(service, operation)} not called: "
                           "the audit was interrupted")

    def client(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self.session.client(
                    service, region_name=region or self.home_region, endpoint_url=self.endpoint_url, config=self._config,
                )
            return self._clients[key]

    def call(self, service: str, region: str, operation: str, *, absent: tuple[str, ...] = (),
             **params: Any) -> dict[str, Any] | None:
        """One API call; returns None when the error code is one of ``absent`` (e.g. NoSuchBucketPolicy)."""
        self._check_running(service, operation)
        client = self.client(service, region)
        method = getattr(client, _snake(operation))
        try:
            return method(**params)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in absent:
                return None
            raise classify(service, operation, exc, self.endpoint_url, self.retry) from exc
        except BotoCoreError as exc:
            raise classify(service, operation, exc, self.endpoint_url, self.retry) from exc

    def pages(self, service: str, region: str, operation: str, key: str, **params: Any) -> Iterator[Any]:
        """Every item under ``key`` across all pages (botocore paginators).

        A page without ``key`` is an unexpected answer (an ``ApiError``), never an
        empty listing: only the APIs AWS documents as leaving it out when there is
        nothing to list (``OMITTED_WHEN_EMPTY``) may answer so.
        """
        for page in self.whole_pages(service, region, operation, (key,), **params):
            yield from page.get(key) or []

    def whole_pages(self, service: str, region: str, operation: str, keys: tuple[str, ...],
                    **params: Any) -> Iterator[dict[str, Any]]:
        """Every page of an operation whose pages hold several lists (IAM GetAccountAuthorizationDetails), each
        page checked to hold every one of ``keys`` as ``pages`` checks its one key."""
        self._check_running(service, operation)
        client = self.client(service, region)
        try:
            for page in client.get_paginator(_snake(operation)).paginate(**params):
                for key in keys:
                    if page.get(key) is None and not (key not in page and (service, operation) in OMITTED_WHEN_EMPTY):
                        api = api_name(service, operation)
                        raise ApiError(api, "unexpected", f"{api} answered a page without {key}: unexpected answer "
                                       f"from {self.endpoint_url or f'the {service} endpoint'}; nothing it lists can "
                                       "be judged: check that the API is available there", "MissingResultKey")
                yield page
        except (ClientError, BotoCoreError) as exc:
            raise classify(service, operation, exc, self.endpoint_url, self.retry) from exc


def _snake(operation: str) -> str:
    """DescribeDBClusters -> describe_db_clusters, as botocore names client methods."""
    return xform_name(operation)
