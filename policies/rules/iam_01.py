"""IAM-01 in the pack: every policy document and managed-policy attachment a resource declares (``controls.iam_01``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import iam_01
from controls.values import UNKNOWN, as_list, lookup
from rules import types as t
from rules.documents import document_input
from rules.model import Resource
from rules.registry import Registry, resource_results

registry = Registry()

DOCUMENT_TYPES = (t.IAM_POLICY, t.IAM_ROLE_POLICY, t.IAM_USER_POLICY, t.IAM_GROUP_POLICY)
# The input naming the managed policies each type attaches (one ARN, or a list of them).
MANAGED_POLICY_INPUTS = {
    t.IAM_ROLE: "managedPolicyArns",
    t.IAM_POLICY_ATTACHMENT: "policyArn",
    t.IAM_ROLE_POLICY_ATTACHMENT: "policyArn",
    t.IAM_USER_POLICY_ATTACHMENT: "policyArn",
    t.IAM_GROUP_POLICY_ATTACHMENT: "policyArn",
    t.IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE: "policyArns",
    t.IAM_USER_POLICY_ATTACHMENTS_EXCLUSIVE: "policyArns",
    t.IAM_GROUP_POLICY_ATTACHMENTS_EXCLUSIVE: "policyArns",
}


def _documents(r: Resource) -> list[iam_01.Document]:
    if r.type in DOCUMENT_TYPES:
        return [iam_01.Document("policy", document_input(r.lookup("policy")))]
    if r.type != t.IAM_ROLE:
        return []
    policies = r.lookup("inlinePolicies")
    if policies is UNKNOWN:
        return [iam_01.Document("inlinePolicies", UNKNOWN)]
    return [iam_01.Document(f"inlinePolicies[{index}].policy",
                            UNKNOWN if inline is UNKNOWN else document_input(lookup(inline, "policy")))
            for index, inline in enumerate(as_list(policies))]


def _managed(r: Resource) -> list[iam_01.ManagedPolicy]:
    prop = MANAGED_POLICY_INPUTS.get(r.type)
    if prop is None:
        return []
    value = r.lookup(prop)
    if isinstance(value, list):
        return [iam_01.ManagedPolicy(f"{prop}[{index}]", arn) for index, arn in enumerate(value)]
    return [iam_01.ManagedPolicy(prop, value)]


@registry.resource("IAM-01", "no-wildcard-actions-on-all-resources",
                   "No IAM policy allows * or service:* actions on resource *.",
                   [*DOCUMENT_TYPES, *MANAGED_POLICY_INPUTS])
def no_wildcard_actions_on_all_resources(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from resource_results(iam_01.decide(_documents(r), _managed(r)))
