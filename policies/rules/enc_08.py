"""ENC-08 in the pack: each CloudTrail trail's key (``controls.enc_08``).

A stack policy, so that a key named by the literal alias of a ``kms.Alias`` of the
stack resolves as it does in the static scan and the live audit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import enc_08
from rules import types as t
from rules.keyrefs import key_ref
from rules.model import StackView
from rules.registry import Registry, stack_results

registry = Registry()


@registry.stack("ENC-08", "cloudtrail-customer-managed-key",
                "CloudTrail log files encrypt with a customer-managed KMS key.", [t.TRAIL])
def cloudtrail_customer_managed_key(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for trail in stack.of_type(t.TRAIL):
        yield from stack_results(enc_08.decide(enc_08.Trail(key_ref(trail, "kmsKeyId", stack=stack))), trail.urn)
