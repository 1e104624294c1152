"""IAM-05: the Redis AUTH secret rotates automatically, at least every ``maxRotationDays`` (30), with a rotation function.

The subject is the Secrets Manager secret that holds a replication group's AUTH
token. Which secret that is, each layer reads from what it sees:

* before the deploy (the pack, the static scan): the secret whose version (or the
  secret itself) the group's ``authToken`` is computed from: the dependency edge
  ``authToken -> SecretVersion -> secretId -> Secret``; a secret tagged
  ``AuthTokenFor=<replication group id>`` is an AUTH secret too;
* in the account: the secret tagged ``AuthTokenFor=<replication group id>``. AWS
  records no link from a replication group to a secret, so the program tags the
  secret; a group whose token comes from an untagged secret therefore fails before
  the deploy too (the audit could not find the secret that holds it).

Decisions:

* ``decide_group``: a group without an AUTH token is not IAM-05's (ENC-03 requires
  one); a group whose token is read from no secret (a literal in the program, a value
  no secret holds) fails, since nothing can rotate it; one whose token's secrets are
  not tagged for it fails (the audit cannot find them); otherwise the group is judged
  on its secret (not applicable here).
* ``decide_secret``: the secret has a rotation; each of its rotations is enabled, names
  a rotation function (without one Secrets Manager cannot change the token the group
  checks: only our function runs ``ModifyReplicationGroup`` with ROTATE, then SET) and
  runs at least every ``maxRotationDays``: ``automaticallyAfterDays``, or a
  ``scheduleExpression`` of ``rate(N days)`` / ``rate(N hours)``. A ``cron(...)``
  schedule gives no interval that can be checked (it may skip a month), so it fails
  with the fix; an unknown schedule is undecided.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from controls.values import MISSING, UNKNOWN, describe, number, truthy
from controls.verdict import Judgement, Verdict, not_applicable

CONTROL = "IAM-05"
AUTH_TOKEN_TAG = "AuthTokenFor"  # on a secret: the id of the replication group whose AUTH token it holds
_RATE = re.compile(r"^rate\((\d+)\s+(day|days|hour|hours)\)$")
FUNCTION_FIX = "the ARN of the function that changes the replication group's token (ROTATE, then SET)"


@dataclass(frozen=True)
class TokenSource:
    """A secret a group's AUTH token is read from, and its ``AuthTokenFor`` tag (``MISSING`` if untagged)."""

    label: str
    tag: Any


@dataclass(frozen=True)
class TokenHolder:
    """A replication group: its id, whether it has an AUTH token, and the secrets the token is read from."""

    label: str
    group_id: Any
    has_token: bool
    sources: tuple[TokenSource, ...] = ()


@dataclass(frozen=True)
class Rotation:
    """One rotation of the secret: ``where`` names it in messages (``"rotation 'redis-auth'"``, ``"RotationRules"``)."""

    where: str
    enabled: Any = True
    function: Any = MISSING
    after_days: Any = MISSING
    schedule: Any = MISSING


@dataclass(frozen=True)
class AuthSecret:
    label: str
    rotations: tuple[Rotation, ...] = ()


def tag_names(tag: Any, group_id: Any) -> bool:
    """Whether an ``AuthTokenFor`` tag names the group (ElastiCache stores group ids in lower case)."""
    return isinstance(tag, str) and isinstance(group_id, str) and tag.strip().lower() == group_id.strip().lower()


def decide_group(group: TokenHolder) -> Verdict:
    """Where a replication group's AUTH token comes from: a secret tagged for the group, or a failure."""
    if not group.has_token:
        return not_applicable(f"{group.label} has no AUTH token, so there is nothing to rotate (ENC-03 requires "
                              "AUTH)")
    judgement = Judgement()
    shown_id = group.group_id if isinstance(group.group_id, str) else "<replication group id>"
    fix = (f"keep the token in a Secrets Manager secret tagged {AUTH_TOKEN_TAG}={shown_id}, set authToken from that "
           "secret's version (secretString) and rotate the secret with a rotation function")
    if not group.sources:
        judgement.fail(f"{group.label}: no Secrets Manager secret is known to hold its AUTH token (it is not read from "
                       f"a secret's version, or no secret is tagged {AUTH_TOKEN_TAG} for it), so no rotation can "
                       f"change it: {fix}.", "authToken")
        return judgement.verdict("")
    if any(tag_names(source.tag, group.group_id) for source in group.sources):
        return not_applicable(f"{group.label}: its AUTH token is kept in "
                              f"{', '.join(s.label for s in group.sources)}, whose rotation IAM-05 judges")
    if group.group_id is UNKNOWN or any(source.tag is UNKNOWN for source in group.sources):
        judgement.unknown("authToken", f"{group.label}: whether its token's secret is tagged {AUTH_TOKEN_TAG} for it "
                                       "is not known until apply")
        return judgement.verdict("")
    untagged = ", ".join(s.label for s in group.sources)
    judgement.fail(f"{group.label}: its AUTH token is read from {untagged}, not tagged {AUTH_TOKEN_TAG}={shown_id}, "
                   f"so the audit cannot find the secret that holds it: tag the secret {AUTH_TOKEN_TAG}={shown_id}.",
                   f"secret.tags.{AUTH_TOKEN_TAG}")
    return judgement.verdict("")


def interval_days(rotation: Rotation) -> Any:
    """Days between rotations: a number, ``UNKNOWN``, or None when the rules give no checkable interval."""
    if rotation.after_days is UNKNOWN or (rotation.after_days is MISSING and rotation.schedule is UNKNOWN):
        return UNKNOWN
    if rotation.after_days is not MISSING:
        return number(rotation.after_days)
    match = _RATE.match(rotation.schedule.strip()) if isinstance(rotation.schedule, str) else None
    if not match:
        return None
    amount = int(match.group(1))
    return amount / 24 if match.group(2).startswith("hour") else float(amount)


def decide_secret(secret: AuthSecret, max_days: int) -> Verdict:
    """The verdict on a secret that holds an AUTH token: rotated by a function, at least every ``max_days``."""
    judgement = Judgement()
    if not secret.rotations:
        judgement.fail(f"{secret.label} holds an AUTH token but has no rotation: declare an "
                       f"aws.secretsmanager.SecretRotation for it with rotationLambdaArn {FUNCTION_FIX} and "
                       f"rotationRules.automaticallyAfterDays {max_days} or fewer.", "rotation")
        return judgement.verdict("")
    for rotation in secret.rotations:
        _judge_rotation(judgement, rotation, max_days)
    shown = ", ".join(f"every {describe(interval_days(r))} days through "
                      f"{r.function if isinstance(r.function, str) else describe(r.function)}" for r in secret.rotations)
    return judgement.verdict(f"{secret.label} rotates {shown} (<= {max_days} days)")


def _judge_rotation(judgement: Judgement, rotation: Rotation, max_days: int) -> None:
    where, parts = rotation.where, (rotation.where,)
    if rotation.enabled is UNKNOWN:
        judgement.unknown(f"{where}.enabled", parts=parts)
    elif not truthy(rotation.enabled):
        judgement.fail(f"{where}: automatic rotation is off: enable it with a rotation function, every {max_days} "
                       "days or fewer.", f"{where}.enabled", parts)
        return
    function = rotation.function
    if function is UNKNOWN:
        judgement.unknown(f"{where}.rotationLambdaArn",
                          f"{where}.rotationLambdaArn is computed at apply from something that is not a Lambda "
                          "function of this stack, so the rotation function cannot be verified yet", parts)
    elif not isinstance(function, str) or not function.strip():
        judgement.fail(f"{where} has no rotation function, so nothing changes the token the replication group "
                       f"checks: set rotationLambdaArn to {FUNCTION_FIX}.", f"{where}.rotationLambdaArn", parts)
    days = interval_days(rotation)
    if days is UNKNOWN:
        judgement.unknown(f"{where}.rotationRules", parts=parts)
    elif days is None:
        shown = describe(rotation.schedule) if rotation.schedule is not MISSING else "not set"
        judgement.fail(f"{where}: rotationRules (scheduleExpression {shown}) gives no checkable interval: set "
                       f"automaticallyAfterDays (or scheduleExpression \"rate(N days)\") to {max_days} days or fewer.",
                       f"{where}.rotationRules", parts)
    elif days > max_days:
        judgement.fail(f"{where}: rotation runs every {describe(days)} days: rotate every {max_days} days or fewer.",
                       f"{where}.rotationRules", parts)
