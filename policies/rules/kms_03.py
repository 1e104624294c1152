"""KMS-03 in the pack: each key's policies (its own and every KeyPolicy for it) and deletion window (``controls.kms_03``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import kms_03
from rules import types as t
from rules.model import Resource, StackView
from rules.registry import Registry, resource_results, stack_results

registry = Registry()


def _policy(resource: Resource, where: str = "policy") -> kms_03.KeyPolicy:
    return kms_03.KeyPolicy(where, resource.lookup("policy"))


@registry.stack("KMS-03", "key-policy-no-public-principal",
                "Key policies grant nothing to a wildcard principal without a condition.",
                [t.KMS_KEY, t.KMS_KEY_POLICY])
def key_policy_no_public_principal(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    """A key with every KeyPolicy resource that names it (whose violations are also reported there); the rest alone."""
    for key in stack.of_type(t.KMS_KEY):
        attached = stack.referrers(key, "keyId", t.KMS_KEY_POLICY)
        policies = [_policy(key)] + [_policy(p, f"{p.label()} policy") for p in attached]
        yield from stack_results(kms_03.decide_policies(policies), key.urn)
    for policy in stack.of_type(t.KMS_KEY_POLICY):
        yield from stack_results(kms_03.decide_policies([_policy(policy)]), policy.urn)


@registry.resource("KMS-03", "key-deletion-window",
                   "KMS keys keep a deletion window of 7 to 30 days.", [t.KMS_KEY],
                   parameters=("minDeletionWindowDays", "maxDeletionWindowDays"))
def key_deletion_window(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    low, high = config["minDeletionWindowDays"], config["maxDeletionWindowDays"]
    yield from resource_results(kms_03.decide_window(r.lookup("deletionWindowInDays"), low, high))
