"""CKV_IOT_13 (GOV-03): taggable resources carry GOV-03's ``requiredTags`` (decided by ``controls.gov_03``)."""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import TAGGABLE_TYPES, parameters
from plan_facts import fact
from plan_index import PlanIndex

from controls import gov_03
from controls.verdict import Verdict


class RequiredTags(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="GOV-03: taggable resources carry the tags Environment, Project, Owner and DataClassification",
            id="CKV_IOT_13", categories=[CheckCategories.CONVENTION], supported_resources=TAGGABLE_TYPES,
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        return gov_03.decide(fact(plan, address, "tags"), parameters("GOV-03")["requiredTags"])


check = RequiredTags()
