"""IAM-05 in the pack: the secret that holds a replication group's AUTH token, and its rotations (``controls.iam_05``).

Facts from the stack: a group's ``authToken`` and the secrets it was computed from (the
dependency edge to a ``SecretVersion`` and that version's ``secretId``, or to a
``Secret``); each secret's ``AuthTokenFor`` tag; the ``SecretRotation`` resources that
name a secret (by edge or by its literal name), with their function and rules. A
secret is judged when a group's token is read from it or it is tagged for a group.

The policy's scope is the secrets: a stack policy cannot say "not applicable" per
resource, so a secret that holds no AUTH token is recorded as passing by the gate (as
for every stack policy); a group whose token comes from no (tagged) secret is reported
as a violation on the group.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import iam_05
from controls.values import MISSING, UNKNOWN
from rules import types as t
from rules.model import Resource, StackView
from rules.registry import Registry, stack_results

registry = Registry()


def token_secrets(stack: StackView, group: Resource) -> list[Resource]:
    """The secrets a group's authToken was computed from: through a SecretVersion, or directly."""
    found: list[Resource] = []
    for source in stack.sources(group, "authToken", t.SECRET_VERSION, t.SECRET):
        if source.type == t.SECRET:
            secrets = [source]
        else:
            secrets = stack.sources(source, "secretId", t.SECRET) \
                or stack.named("name", source.lookup("secretId"), t.SECRET)
        found += [s for s in secrets if s not in found]
    return found


def auth_tag(secret: Resource) -> Any:
    tags = secret.lookup("tags")
    if tags is UNKNOWN:
        return UNKNOWN
    return secret.lookup(f"tags.{iam_05.AUTH_TOKEN_TAG}")


def _function(stack: StackView, rotation: Resource) -> Any:
    """The rotation function: a Lambda function of the stack by its label when the ARN is computed from one."""
    value = rotation.lookup("rotationLambdaArn")
    functions = stack.sources(rotation, "rotationLambdaArn", t.LAMBDA_FUNCTION)
    return f"function '{functions[0].name}'" if functions and value is not MISSING else value


def rotations(stack: StackView, secret: Resource) -> list[Resource]:
    return stack.linked(secret, secret.lookup("name"), "secretId", t.SECRET_ROTATION)


def _rotation(stack: StackView, rotation: Resource) -> iam_05.Rotation:
    rules = rotation.lookup("rotationRules")
    return iam_05.Rotation(
        f"rotation '{rotation.name}'", True, _function(stack, rotation),
        UNKNOWN if rules is UNKNOWN else rotation.lookup("rotationRules.automaticallyAfterDays"),
        UNKNOWN if rules is UNKNOWN else rotation.lookup("rotationRules.scheduleExpression"))


@registry.stack("IAM-05", "redis-auth-secret-rotates",
                "The secret that holds a Redis replication group's AUTH token rotates automatically through a "
                "rotation function, at least every maxRotationDays.", [t.SECRET], parameters=("maxRotationDays",))
def redis_auth_secret_rotates(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    holders: set[str] = set()
    for group in stack.of_type(t.ELASTICACHE_REPLICATION_GROUP):
        secrets = token_secrets(stack, group)
        holders.update(s.urn for s in secrets)
        holder = iam_05.TokenHolder(group.label(), group.lookup("replicationGroupId"),
                                    group.lookup("authToken") is not MISSING,
                                    tuple(iam_05.TokenSource(s.label(), auth_tag(s)) for s in secrets))
        yield from stack_results(iam_05.decide_group(holder), group.urn)
    for secret in stack.of_type(t.SECRET):
        if secret.urn not in holders and auth_tag(secret) is MISSING:
            continue  # holds no AUTH token: not IAM-05's
        declared = rotations(stack, secret)
        verdict = iam_05.decide_secret(iam_05.AuthSecret(secret.label(), tuple(_rotation(stack, r) for r in declared)),
                                       config["maxRotationDays"])
        yield from stack_results(verdict, secret.urn, {f"rotation '{r.name}'": r.urn for r in declared})
