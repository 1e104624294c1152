"""Credentials per audited account: STS AssumeRole, refreshed by botocore before they expire.

The first AssumeRole happens at once (``assumed_session``), so a role that
cannot be assumed is known before any check runs and the account is an
``error``; later renewals are botocore's ``RefreshableCredentials`` (refresh
15 minutes before expiry, mandatory at 10), wired in as the session's only
credential provider, so a long organization run never carries expired keys.

The session name says who audits (``compliance-audit@<user>`` by default):
CloudTrail in the audited account records it on every call.
"""

from __future__ import annotations

import getpass
import re
from typing import Any

import boto3
import botocore.session
from botocore.credentials import CredentialProvider, CredentialResolver, RefreshableCredentials

from compliance.audit.aws import ApiError, RetryPolicy, classify

SESSION_SECONDS = 3600
_SESSION_NAME_CHARS = re.compile(r"[^\w+=,.@-]")


def default_session_name() -> str:
    """``compliance-audit@<user>``, cut to STS's 64 characters of ``[\\w+=,.@-]``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return _SESSION_NAME_CHARS.sub("-", f"compliance-audit@{user}")[:64]


class _AssumedRoleProvider(CredentialProvider):
    METHOD = "compliance-assume-role"

    def __init__(self, credentials: RefreshableCredentials) -> None:
        self._credentials = credentials

    def load(self) -> RefreshableCredentials:
        return self._credentials


def assumed_session(base: boto3.Session, role_arn: str, *, session_name: str, external_id: str | None,
                    region: str, endpoint_url: str | None, retry: RetryPolicy,
                    duration_seconds: int = SESSION_SECONDS) -> boto3.Session:
    """A boto3 session in the role's account; raises ``ApiError`` naming the fix when it cannot be assumed.

    The STS client is made from ``base``, so its calls are counted with the caller's.
    ``duration_seconds`` (900..the role's maximum) is how long each set of keys lives.
    """
    sts = base.client("sts", region_name=region, endpoint_url=endpoint_url, config=retry.config())
    params: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": session_name,
                              "DurationSeconds": duration_seconds}
    if external_id:
        params["ExternalId"] = external_id

    def fetch() -> dict[str, str]:
        try:
            answer = sts.assume_role(**params)["Credentials"]
        except Exception as exc:  # ClientError / BotoCoreError: classified, one line
            error = classify("sts", "AssumeRole", exc, endpoint_url, retry)
            if error.kind == "access_denied":
                error = ApiError(error.api, error.kind, f"sts:AssumeRole denied ({error.code}): the role is missing "
                                 "in the account, or its trust policy does not admit this caller and external id: "
                                 "roll out the auditor role (program/auditor_role, docs/organization.md)", error.code)
            raise error from exc
        return {"access_key": answer["AccessKeyId"], "secret_key": answer["SecretAccessKey"],
                "token": answer["SessionToken"], "expiry_time": answer["Expiration"].isoformat()}

    credentials = RefreshableCredentials.create_from_metadata(
        metadata=fetch(), refresh_using=fetch, method=_AssumedRoleProvider.METHOD)
    core = botocore.session.Session()
    # The caller's loader: service models are parsed once per run, not once per account (most of a client's cost).
    core.register_component("data_loader", base._session.get_component("data_loader"))
    core.register_component("credential_provider", CredentialResolver([_AssumedRoleProvider(credentials)]))
    return boto3.Session(botocore_session=core, region_name=region)
