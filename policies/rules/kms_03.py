"""KMS-03 in the pack: key policies (each key's own, each KeyPolicy resource, and those applied to a key) and the
deletion window, decided by ``controls.kms_03``.

Each document is judged on the resource that declares it (a resource policy: a
value unknown in a first preview leaves that resource alone undecided); a
KeyPolicy resource's violations are also reported on the key it replaces the
policy of (a stack policy: the key is the control's subject in every layer).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import kms_03
from rules import types as t
from rules.documents import document_input
from rules.model import Resource, StackView
from rules.registry import Registry, resource_results, stack_results

registry = Registry()


def _policy(resource: Resource, where: str = "policy") -> kms_03.KeyPolicy:
    return kms_03.KeyPolicy(where, document_input(resource.lookup("policy")))


@registry.resource("KMS-03", "key-policy-no-public-principal",
                   "Key policies grant nothing to a wildcard principal without a condition.",
                   [t.KMS_KEY, t.KMS_KEY_POLICY])
def key_policy_no_public_principal(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from resource_results(kms_03.decide_policies([_policy(r)]))


@registry.stack("KMS-03", "key-policy-resources-on-their-key",
                "A KeyPolicy resource's grants are judged on the key whose policy it replaces.", [t.KMS_KEY])
def key_policy_resources_on_their_key(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for key in stack.of_type(t.KMS_KEY):
        attached = stack.referrers(key, "keyId", t.KMS_KEY_POLICY)
        if attached:
            policies = [_policy(p, f"{p.label()} policy") for p in attached]
            yield from stack_results(kms_03.decide_policies(policies), key.urn)


@registry.resource("KMS-03", "key-deletion-window",
                   "KMS keys keep a deletion window of 7 to 30 days.", [t.KMS_KEY],
                   parameters=("minDeletionWindowDays", "maxDeletionWindowDays"))
def key_deletion_window(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    low, high = config["minDeletionWindowDays"], config["maxDeletionWindowDays"]
    yield from resource_results(kms_03.decide_window(r.lookup("deletionWindowInDays"), low, high))
