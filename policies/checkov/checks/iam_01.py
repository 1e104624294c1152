"""CKV_IOT_18 (IAM-01): no IAM policy allows ``*`` or ``service:*`` actions on every resource.

Facts from the plan: the ``policy`` document of policies and inline role, user and
group policies, a role's ``inline_policy`` blocks, and the managed-policy ARNs that
roles and attachments name. The decision is ``controls.iam_01``; checkov's
CKV_AWS_62/63/... corroborate (they miss ``s3:*`` on ``*``, NotResource and
``arn:aws:s3:::*``).
"""

from __future__ import annotations

from checkov.common.models.enums import CheckCategories
from decided import DecidedCheck
from iot_checks_common import as_list
from plan_facts import fact
from plan_index import PlanIndex

from controls import iam_01
from controls.values import MISSING, UNKNOWN
from controls.verdict import Verdict

DOCUMENT_TYPES = ("aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy")
MANAGED_POLICY_ATTRIBUTES = {
    "aws_iam_role": "managed_policy_arns",
    "aws_iam_policy_attachment": "policy_arn",
    "aws_iam_role_policy_attachment": "policy_arn",
    "aws_iam_user_policy_attachment": "policy_arn",
    "aws_iam_group_policy_attachment": "policy_arn",
    "aws_iam_role_policy_attachments_exclusive": "policy_arns",
    "aws_iam_user_policy_attachments_exclusive": "policy_arns",
    "aws_iam_group_policy_attachments_exclusive": "policy_arns",
}


def _documents(plan: PlanIndex, address: str) -> list[iam_01.Document]:
    kind = plan.type_of(address)
    if kind in DOCUMENT_TYPES:
        return [iam_01.Document("policy", fact(plan, address, "policy"))]
    if kind != "aws_iam_role":
        return []
    inline = fact(plan, address, "inline_policy")
    if inline is UNKNOWN:
        return [iam_01.Document("inline_policy", UNKNOWN)]
    return [iam_01.Document(f"inline_policy[{index}].policy", block.get("policy", MISSING))
            for index, block in enumerate(b for b in as_list(inline) if isinstance(b, dict))]


def _managed(plan: PlanIndex, address: str) -> list[iam_01.ManagedPolicy]:
    attribute = MANAGED_POLICY_ATTRIBUTES.get(plan.type_of(address))
    if attribute is None:
        return []
    value = fact(plan, address, attribute)
    if isinstance(value, list):
        return [iam_01.ManagedPolicy(f"{attribute}[{index}]", arn) for index, arn in enumerate(value)]
    return [iam_01.ManagedPolicy(attribute, value)]


class NoWildcardGrants(DecidedCheck):
    def __init__(self) -> None:
        super().__init__(
            name="IAM-01: no IAM policy allows * or service:* actions on every resource (NotAction, NotResource too)",
            id="CKV_IOT_18", categories=[CheckCategories.IAM],
            supported_resources=(*DOCUMENT_TYPES, *MANAGED_POLICY_ATTRIBUTES),
        )

    def judge(self, plan: PlanIndex, address: str) -> Verdict:
        return iam_01.decide(_documents(plan, address), _managed(plan, address))


check = NoWildcardGrants()
