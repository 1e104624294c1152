"""ENC-01 in the pack: each Kinesis stream's encryption and key (``controls.enc_01``).

A stack policy, so that a key named by the literal alias of a ``kms.Alias`` of the
stack resolves as it does in the static scan and the live audit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import enc_01
from rules import types as t
from rules.keyrefs import key_ref
from rules.model import StackView
from rules.registry import Registry, stack_results

registry = Registry()


@registry.stack("ENC-01", "kinesis-customer-managed-key",
                "Kinesis streams encrypt with a customer-managed KMS key.", [t.KINESIS_STREAM])
def kinesis_customer_managed_key(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for stream in stack.of_type(t.KINESIS_STREAM):
        facts = enc_01.Stream(stream.lookup("encryptionType"), key_ref(stream, "kmsKeyId", stack=stack))
        yield from stack_results(enc_01.decide(facts), stream.urn)
