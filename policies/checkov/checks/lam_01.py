"""CKV_IOT_15 (LAM-01): Lambda functions use a runtime from ``approvedRuntimes`` (``controls.lam_01``)."""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import parameters
from plan_index import PlanIndex
from planned import fact

from controls import lam_01
from controls.verdict import Verdict


class ApprovedRuntime(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="LAM-01: Lambda functions use an approved runtime",
            id="CKV_IOT_15", categories=[CheckCategories.GENERAL_SECURITY], supported_resources=("aws_lambda_function",),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        function = lam_01.Function(fact(plan, address, "runtime"), fact(plan, address, "package_type"))
        return lam_01.decide(function, parameters("LAM-01")["approvedRuntimes"])


check = ApprovedRuntime()
