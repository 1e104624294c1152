"""CKV_IOT_62 (IAM-05): the secret that holds a Redis AUTH token rotates through a function, every maxRotationDays or less.

Facts from the plan: a replication group's ``auth_token`` references (to an
``aws_secretsmanager_secret_version`` and its ``secret_id``, or to a secret); each
secret's ``AuthTokenFor`` tag; the ``aws_secretsmanager_secret_rotation`` resources
that reference a secret (or name it literally), with their function and rules. A
secret that holds no AUTH token is not applicable; a group is failed when its token
comes from no (tagged) secret, else it is judged on its secret (not applicable). The
decision is ``controls.iam_05``; checkov's CKV2_AWS_57 ("secrets have automatic
rotation") stays as corroborating evidence.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import parameters
from plan_index import REFERENCE, PlanIndex

from controls import iam_05
from controls.values import MISSING, UNKNOWN
from controls.verdict import Verdict, not_applicable

GROUP, SECRET = "aws_elasticache_replication_group", "aws_secretsmanager_secret"
VERSION, ROTATION, FUNCTION = "aws_secretsmanager_secret_version", "aws_secretsmanager_secret_rotation", \
    "aws_lambda_function"


def _label(address: str) -> str:
    kind = {GROUP: "ReplicationGroup", SECRET: "Secret"}.get(address.split(".", 1)[0], address.split(".", 1)[0])
    return f"{kind} '{address.split('.', 1)[1]}'"


def _named(plan: PlanIndex, name: object) -> list[str]:
    return [s for s in plan.of_type(SECRET) if isinstance(name, str) and plan.values(s).get("name") == name]


def token_secrets(plan: PlanIndex, group: str) -> list[str]:
    found: list[str] = []
    for source in plan.references(group, "auth_token", (VERSION, SECRET)):
        secrets = [source] if plan.type_of(source) == SECRET else (
            plan.references(source, "secret_id", (SECRET,)) or _named(plan, plan.values(source).get("secret_id")))
        found += [s for s in secrets if s not in found]
    return found


def _tag(plan: PlanIndex, secret: str):
    tags = plan.values(secret).get("tags")
    return (tags or {}).get(iam_05.AUTH_TOKEN_TAG, MISSING) if isinstance(tags, dict) or tags is None else UNKNOWN


def _rules(plan: PlanIndex, rotation: str) -> dict:
    rules = plan.values(rotation).get("rotation_rules")
    while isinstance(rules, list) and len(rules) == 1:
        rules = rules[0]
    return rules if isinstance(rules, dict) else {}


def _rotation(plan: PlanIndex, rotation: str) -> iam_05.Rotation:
    functions = plan.references(rotation, "rotation_lambda_arn", (FUNCTION,))
    function = plan.value(rotation, "rotation_lambda_arn")
    if functions:
        function = f"function '{functions[0].split('.', 1)[1]}'"
    elif function is REFERENCE:
        function = UNKNOWN
    rules = _rules(plan, rotation)
    return iam_05.Rotation(f"rotation '{rotation.split('.', 1)[1]}'", True, MISSING if function is None else function,
                           rules.get("automatically_after_days", MISSING), rules.get("schedule_expression", MISSING))


class RedisAuthSecretRotates(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="IAM-05: the Redis AUTH secret rotates through a rotation function, every maxRotationDays or less",
            id="CKV_IOT_62", categories=[CheckCategories.SECRETS], supported_resources=(GROUP, SECRET),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        if plan.type_of(address) == GROUP:
            secrets = token_secrets(plan, address)
            token = plan.values(address).get("auth_token") is not None or \
                plan.value(address, "auth_token") is REFERENCE
            return iam_05.decide_group(iam_05.TokenHolder(
                _label(address), plan.values(address).get("replication_group_id", MISSING), token,
                tuple(iam_05.TokenSource(_label(s), _tag(plan, s)) for s in secrets)))
        holds = any(address in token_secrets(plan, g) for g in plan.of_type(GROUP))
        if not holds and _tag(plan, address) is MISSING:
            return not_applicable(f"{_label(address)} holds no replication group's AUTH token")
        name = plan.values(address).get("name")
        declared = plan.referrers(address, "secret_id", (ROTATION,))
        declared += [r for r in plan.of_type(ROTATION)
                     if r not in declared and isinstance(name, str) and plan.values(r).get("secret_id") == name]
        return iam_05.decide_secret(iam_05.AuthSecret(_label(address), tuple(_rotation(plan, r) for r in declared)),
                                    int(parameters("IAM-05")["maxRotationDays"]))


check = RedisAuthSecretRotates()
