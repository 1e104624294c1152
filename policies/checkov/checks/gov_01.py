"""CKV_IOT_4 (GOV-01): physical names follow ``{type}-{purpose}-{suffix}`` with the stack's suffix.

Facts from the plan: the attribute holding each type's physical name, and the
suffix ``compliance scan`` sets in ``IOT_ENVIRONMENT_SUFFIX`` from the graph's
config. A name computed from another resource is undecided. The decision (which
part of a path or alias, which separator) is ``controls.gov_01``.
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import PHYSICAL_NAME_ATTRIBUTES, environment_suffix
from plan_facts import fact
from plan_index import PlanIndex

from controls import gov_01
from controls.values import MISSING
from controls.verdict import Verdict


class PhysicalNameConvention(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="GOV-01: physical names follow {type}-{purpose}-{suffix} with the stack's environment suffix",
            id="CKV_IOT_4", categories=[CheckCategories.CONVENTION],
            supported_resources=tuple(PHYSICAL_NAME_ATTRIBUTES),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        kind = plan.type_of(address)
        attribute = PHYSICAL_NAME_ATTRIBUTES[kind]
        name = gov_01.Name(attribute, fact(plan, address, attribute), gov_01.separator_for(kind))
        return gov_01.decide(name, environment_suffix() or MISSING)


check = PhysicalNameConvention()
