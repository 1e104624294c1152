"""CKV_IOT_17 (IAM-04): database credentials (master passwords, RDS proxies' secrets) live in Secrets Manager and
rotate at least every 30 days.

Facts from the plan: a database's ``manage_master_user_password`` and
``master_password``; a password computed from an ``aws_secretsmanager_secret_version``
is judged with the ``aws_secretsmanager_secret_rotation`` resources of that
version's secret; each rotation's ``rotation_rules``; an ``aws_db_proxy``'s
``default_auth_scheme`` and the secrets its ``auth`` blocks reference (with their
rotations), a database's managed master secret, or secrets outside the plan. The decision is
``controls.iam_04``; checkov's secrets scan (CKV_SECRET_*) corroborates on files.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import as_list, parameters
from plan_facts import fact, label, name_of
from plan_index import REFERENCE, PlanIndex

from controls import iam_04
from controls.values import MISSING, UNKNOWN, lookup, truthy
from controls.verdict import Verdict

DATABASES = ("aws_rds_cluster", "aws_db_instance")
ROTATION = "aws_secretsmanager_secret_rotation"
PROXY, SECRET = "aws_db_proxy", "aws_secretsmanager_secret"


def _rotation(plan: PlanIndex, address: str) -> iam_04.Rotation:
    rules: Any = fact(plan, address, "rotation_rules")
    where = f"rotation '{name_of(address)}'"
    if rules is UNKNOWN:
        return iam_04.Rotation(where, UNKNOWN)
    rules = rules[0] if isinstance(rules, list) and rules else rules
    return iam_04.Rotation(where, lookup(rules, "automatically_after_days"), lookup(rules, "schedule_expression"))


def _proxy(plan: PlanIndex, address: str) -> iam_04.Proxy:
    """A proxy's scheme and the secrets its ``auth`` blocks name (as the pack reads ``auths``)."""
    scheme = fact(plan, address, "default_auth_scheme")
    auth = plan.value(address, "auth")
    if auth is REFERENCE:
        return iam_04.Proxy(label(address), scheme, UNKNOWN)
    entries = [e for e in as_list(auth) if isinstance(e, dict)]
    arns = [e.get("secret_arn") if e.get("secret_arn") is not None else MISSING for e in entries]
    named = len({a for a in arns if isinstance(a, str)})
    found = []
    for secret in plan.references(address, "auth", (SECRET,)):
        rotations = tuple(replace(_rotation(plan, r), where=f"the rotation '{name_of(r)}' of secret '{name_of(secret)}'")
                          for r in plan.referrers(secret, "secret_id", (ROTATION,)))
        found.append(iam_04.ProxySecret(f"secret '{name_of(secret)}'", rotations))
    for database in plan.references(address, "auth", DATABASES):
        managed = fact(plan, database, "manage_master_user_password")
        found.append(iam_04.ProxySecret(f"the master secret of {label(database)}", (),
                                        managed=managed is UNKNOWN or truthy(managed)))
    if named > len(found):
        found.append(iam_04.ProxySecret(f"secrets its auth blocks name outside this plan ({named - len(found)})", None))
    return iam_04.Proxy(label(address), scheme, tuple(found), sum(1 for a in arns if a is MISSING))


class DatabaseCredentialsRotated(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="IAM-04: database credentials rotate in Secrets Manager within 30 days, or a proxy uses IAM end to end",
            id="CKV_IOT_17", categories=[CheckCategories.SECRETS], supported_resources=(*DATABASES, ROTATION, PROXY),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        limit = parameters("IAM-04")["maxRotationDays"]
        if plan.type_of(address) == ROTATION:
            return iam_04.decide_rotation(_rotation(plan, address), limit)
        if plan.type_of(address) == PROXY:
            return iam_04.decide_proxy(_proxy(plan, address), limit)
        versions = plan.references(address, "master_password", ("aws_secretsmanager_secret_version",))
        secrets = [s for v in versions for s in plan.references(v, "secret_id", ("aws_secretsmanager_secret",))]
        rotations = tuple(_rotation(plan, r) for s in secrets for r in plan.referrers(s, "secret_id", (ROTATION,)))
        password = fact(plan, address, "master_password")
        credentials = iam_04.Credentials(label(address), fact(plan, address, "manage_master_user_password"),
                                         password is not MISSING, rotations or None)
        return iam_04.decide(credentials, limit)


check = DatabaseCredentialsRotated()
