"""IAM-05: the four steps of a Secrets Manager rotation of the Redis AUTH token.

Secrets Manager invokes the function once per step, each time with the same
``ClientRequestToken`` (the ID of the new secret version), and may invoke a step
again after a failure or a timeout. Every step is therefore written as "make it
so" and checks the real state before acting:

- createSecret: the AWSPENDING version exists, or is put with a new token.
- setSecret: the replication group accepts the pending token, or is given it
  with ``AuthTokenUpdateStrategy=ROTATE`` (old and new token both valid).
- testSecret: Redis accepts the pending token over TLS (AUTH, then PING).
- finishSecret: AWSCURRENT moves to the new version; after a grace period for
  consumers that cache the token, the group is given the new token with
  ``SET`` (the old one stops working), which is verified; AWSPENDING is then
  removed, which marks the rotation finished.

The secret holds the bare token (a string), as the processor reads it. No
token ever reaches a log line or an error message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from redis_auth_rotation.redis_auth import RedisAuthProbe
from redis_auth_rotation.replication_group import ReplicationGroup
from redis_auth_rotation.tokens import check_token, generate_token

CURRENT, PENDING, PREVIOUS = "AWSCURRENT", "AWSPENDING", "AWSPREVIOUS"
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
ROTATE, SET = "ROTATE", "SET"
SECONDS_KEPT_FOR_SET = 120  # finishSecret's grace never eats the time the SET and its checks need

# Every AWS call the function makes, as IAM actions; the program's role grants exactly these
# (plus KMS on the secrets key, which Secrets Manager uses on the function's behalf).
REQUIRED_IAM_ACTIONS = frozenset({
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
    "elasticache:DescribeReplicationGroups",
    "elasticache:ModifyReplicationGroup",
})


class RotationError(Exception):
    """The step cannot complete; the message names the secret, the version and the fix, never a token."""


@dataclass(frozen=True)
class RotationRequest:
    """One invocation by Secrets Manager: which secret, which new version, which step."""

    secret_arn: str
    version_id: str
    step: str
    rotation_token: str | None = None

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> RotationRequest:
        missing = [key for key in ("SecretId", "ClientRequestToken", "Step") if not event.get(key)]
        if missing:
            raise RotationError(f"the rotation event lacks {', '.join(missing)}: only Secrets Manager invokes "
                                "this function")
        if event["Step"] not in STEPS:
            raise RotationError(f"unknown rotation step {event['Step']!r}: expected one of {', '.join(STEPS)}")
        return cls(event["SecretId"], event["ClientRequestToken"], event["Step"], event.get("RotationToken"))


class Rotation:
    def __init__(self, *, secrets: Any, group: ReplicationGroup, probe: RedisAuthProbe, logger: Any,
                 client_grace_seconds: int, sleep: Callable[[float], None]) -> None:
        self.secrets = secrets
        self.group = group
        self.probe = probe
        self.logger = logger
        self.client_grace_seconds = client_grace_seconds
        self.sleep = sleep

    def run(self, event: Mapping[str, Any], seconds_left: Callable[[], float]) -> None:
        request = RotationRequest.from_event(event)
        versions = self._versions(request)
        stages = versions[request.version_id]
        if CURRENT in stages and not (request.step == "finishSecret" and PENDING in stages):
            self._log(request, "the version is already AWSCURRENT: the rotation is finished, nothing to do")
            return
        if PENDING not in stages:
            raise RotationError(f"version {request.version_id} of {request.secret_arn} is not AWSPENDING: "
                                "Secrets Manager rotates only the pending version")
        if request.step == "createSecret":
            self.create_secret(request)
        elif request.step == "setSecret":
            self.set_secret(request, seconds_left)
        elif request.step == "testSecret":
            self.test_secret(request, seconds_left)
        else:
            self.finish_secret(request, versions, seconds_left)

    def create_secret(self, request: RotationRequest) -> None:
        self._value(request, stage=CURRENT)  # the secret must have a current token to rotate from
        try:
            self._value(request, stage=PENDING, version=request.version_id)
        except self.secrets.exceptions.ResourceNotFoundException:
            put: dict[str, Any] = {"SecretId": request.secret_arn, "ClientRequestToken": request.version_id,
                                   "SecretString": generate_token(), "VersionStages": [PENDING]}
            if request.rotation_token:
                put["RotationToken"] = request.rotation_token
            self.secrets.put_secret_value(**put)
            self._log(request, "put a new AWSPENDING token")
            return
        self._log(request, "the AWSPENDING token exists already")

    def set_secret(self, request: RotationRequest, seconds_left: Callable[[], float]) -> None:
        pending = self._value(request, stage=PENDING, version=request.version_id)
        check_token(pending)
        self.group.wait_until_settled(seconds_left)  # an earlier attempt's ROTATE may still be applying
        if self.probe.accepts(pending):
            self._log(request, "Redis accepts the AWSPENDING token already")
            return
        self.group.change_token(pending, ROTATE)
        self._log(request, "asked ElastiCache to add the AWSPENDING token (ROTATE)")
        self.group.wait_until_settled(seconds_left)

    def test_secret(self, request: RotationRequest, seconds_left: Callable[[], float]) -> None:
        pending = self._value(request, stage=PENDING, version=request.version_id)
        self.group.wait_until_settled(seconds_left)
        if not self.probe.accepts(pending):
            raise RotationError(f"Redis refuses the AWSPENDING token of {request.secret_arn} (version "
                                f"{request.version_id}): setSecret did not take effect; see the function's log")
        self._log(request, "Redis accepts the AWSPENDING token (TLS, AUTH, PING)")

    def finish_secret(self, request: RotationRequest, versions: Mapping[str, list[str]],
                      seconds_left: Callable[[], float]) -> None:
        current = next((version for version, stages in versions.items() if CURRENT in stages), None)
        if current != request.version_id:
            move: dict[str, Any] = {"SecretId": request.secret_arn, "VersionStage": CURRENT,
                                    "MoveToVersionId": request.version_id}
            if current is not None:
                move["RemoveFromVersionId"] = current
            self.secrets.update_secret_version_stage(**move)
            grace = max(0.0, min(self.client_grace_seconds, seconds_left() - SECONDS_KEPT_FOR_SET))
            self._log(request, "moved AWSCURRENT to the new version; waiting for consumers to re-read it",
                      graceSeconds=grace)
            self.sleep(grace)
        new = self._value(request, stage=CURRENT, version=request.version_id)
        previous = self._value(request, stage=PREVIOUS)
        self.group.wait_until_settled(seconds_left)
        if self.probe.accepts(previous):
            self.group.change_token(new, SET)
            self._log(request, "asked ElastiCache to keep only the new token (SET)")
            self.group.wait_until_settled(seconds_left)
            if self.probe.accepts(previous):
                raise RotationError(f"Redis still accepts the previous token of {request.secret_arn} after SET; "
                                    "check the replication group's events")
        if not self.probe.accepts(new):
            raise RotationError(f"Redis refuses the new AWSCURRENT token of {request.secret_arn}: restore it with "
                                "ModifyReplicationGroup (ROTATE) before clients reconnect")
        self.secrets.update_secret_version_stage(SecretId=request.secret_arn, VersionStage=PENDING,
                                                 RemoveFromVersionId=request.version_id)
        self._log(request, "the previous token is refused and the new one accepted: rotation finished")

    def _versions(self, request: RotationRequest) -> dict[str, list[str]]:
        metadata = self.secrets.describe_secret(SecretId=request.secret_arn)
        if not metadata.get("RotationEnabled"):
            raise RotationError(f"secret {request.secret_arn} is not enabled for rotation: configure its "
                                "SecretRotation first")
        versions = metadata.get("VersionIdsToStages") or {}
        if request.version_id not in versions:
            raise RotationError(f"secret {request.secret_arn} has no version {request.version_id} with a stage")
        return versions

    def _value(self, request: RotationRequest, *, stage: str, version: str | None = None) -> str:
        query = {"SecretId": request.secret_arn, "VersionStage": stage}
        if version is not None:
            query["VersionId"] = version
        value = self.secrets.get_secret_value(**query).get("SecretString")
        if not isinstance(value, str):
            raise RotationError(f"the {stage} version of {request.secret_arn} holds no SecretString: the secret "
                                "must hold the bare AUTH token")
        return value

    def _log(self, request: RotationRequest, message: str, **extra: Any) -> None:
        self.logger.info(f"{request.step}: {message}", extra={
            "secretArn": request.secret_arn, "versionId": request.version_id, "step": request.step, **extra})
