"""The base of our checkov checks: a control's verdict, from its decision module, reported to checkov.

A check gathers facts from the plan (``plan_index``) and calls the control's
decision module (``policies/controls/``); it never decides itself. The verdict
maps onto checkov's results so that checkov's own reports (JSON, SARIF, JUnit)
stay truthful to its users:

* pass -> PASSED;
* fail -> FAILED, one detail per problem;
* unknown -> FAILED (fail closed), details ``"unknown: ..."``: ``compliance scan``
  records them as errors, never as passes;
* not_applicable -> SKIPPED, detail ``"not_applicable: ..."``: ``compliance scan``
  records not_applicable.

Loaded by checkov only (it imports checkov); the harness reads the detail marks
through ``controls.verdict``.
"""

from __future__ import annotations

from typing import Any

import iot_checks_common  # noqa: F401 (puts policies/ on the path for ``controls``)
from checkov.common.models.enums import CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck
from plan_index import PlanIndex, PlanUnavailable, plan

from controls.verdict import FAIL, NOT_APPLICABLE, PASS, Verdict, detail_mark


class DecidedCheck(BaseResourceCheck):
    """Subclasses implement ``judge(plan, address) -> Verdict`` for the resource being scanned."""

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        raise NotImplementedError

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        try:
            verdict = self.judge(plan(), conf["__address__"])
        except PlanUnavailable as exc:
            self.details.append(detail_mark(Verdict("unknown", str(exc)), str(exc)))
            return CheckResult.FAILED
        if verdict.status == PASS:
            return CheckResult.PASSED
        if verdict.status == NOT_APPLICABLE:
            self.details.append(detail_mark(verdict, verdict.reason))
            return CheckResult.SKIPPED
        self.details.extend(problem.reason for problem in verdict.problems)
        self.details.extend(detail_mark(verdict, p.reason) for p in verdict.undecided if verdict.status != FAIL)
        return CheckResult.FAILED
