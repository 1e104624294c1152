"""ENC-07 in the pack: each CloudWatch log group's key (``controls.enc_07``).

A stack policy, so that a key named by the literal alias of a ``kms.Alias`` of the
stack resolves as it does in the static scan and the live audit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import enc_07
from rules import types as t
from rules.keyrefs import key_ref
from rules.model import StackView
from rules.registry import Registry, stack_results

registry = Registry()


@registry.stack("ENC-07", "log-group-customer-managed-key",
                "CloudWatch log groups encrypt with a customer-managed KMS key.", [t.LOG_GROUP])
def log_group_customer_managed_key(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for group in stack.of_type(t.LOG_GROUP):
        yield from stack_results(enc_07.decide(enc_07.LogGroup(key_ref(group, "kmsKeyId", stack=stack))), group.urn)
