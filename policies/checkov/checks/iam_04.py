"""CKV_IOT_17 (IAM-04): database master credentials live in Secrets Manager and rotate at least every 30 days.

Facts from the plan: a database's ``manage_master_user_password`` and
``master_password``; a password computed from an ``aws_secretsmanager_secret_version``
is judged with the ``aws_secretsmanager_secret_rotation`` resources of that
version's secret; each rotation's ``rotation_rules``. The decision is
``controls.iam_04``; checkov's secrets scan (CKV_SECRET_*) corroborates on files.
"""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import parameters
from plan_facts import fact, label, name_of
from plan_index import PlanIndex

from controls import iam_04
from controls.values import MISSING, UNKNOWN, lookup
from controls.verdict import Verdict

DATABASES = ("aws_rds_cluster", "aws_db_instance")
ROTATION = "aws_secretsmanager_secret_rotation"


def _rotation(plan: PlanIndex, address: str) -> iam_04.Rotation:
    rules: Any = fact(plan, address, "rotation_rules")
    where = f"rotation '{name_of(address)}'"
    if rules is UNKNOWN:
        return iam_04.Rotation(where, UNKNOWN)
    rules = rules[0] if isinstance(rules, list) and rules else rules
    return iam_04.Rotation(where, lookup(rules, "automatically_after_days"), lookup(rules, "schedule_expression"))


class DatabaseCredentialsRotated(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="IAM-04: database master credentials are in Secrets Manager and rotate at least every 30 days",
            id="CKV_IOT_17", categories=[CheckCategories.SECRETS], supported_resources=(*DATABASES, ROTATION),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        limit = parameters("IAM-04")["maxRotationDays"]
        if plan.type_of(address) == ROTATION:
            return iam_04.decide_rotation(_rotation(plan, address), limit)
        versions = plan.references(address, "master_password", ("aws_secretsmanager_secret_version",))
        secrets = [s for v in versions for s in plan.references(v, "secret_id", ("aws_secretsmanager_secret",))]
        rotations = tuple(_rotation(plan, r) for s in secrets for r in plan.referrers(s, "secret_id", (ROTATION,)))
        password = fact(plan, address, "master_password")
        credentials = iam_04.Credentials(label(address), fact(plan, address, "manage_master_user_password"),
                                         password is not MISSING, rotations or None)
        return iam_04.decide(credentials, limit)


check = DatabaseCredentialsRotated()
