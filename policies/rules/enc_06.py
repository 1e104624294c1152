"""ENC-06 in the pack: each DynamoDB table's server-side encryption and key (``controls.enc_06``).

A stack policy, so that a key named by the literal alias of a ``kms.Alias`` of the
stack resolves as it does in the static scan and the live audit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import enc_06
from rules import types as t
from rules.keyrefs import key_ref
from rules.model import StackView
from rules.registry import Registry, stack_results
from rules.values import MISSING, UNKNOWN, lookup

registry = Registry()


@registry.stack("ENC-06", "dynamodb-customer-managed-key",
                "DynamoDB tables encrypt with a customer-managed KMS key.", [t.DYNAMODB_TABLE])
def dynamodb_customer_managed_key(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for table in stack.of_type(t.DYNAMODB_TABLE):
        sse = table.lookup("serverSideEncryption")
        configured = UNKNOWN if sse is UNKNOWN else sse is not MISSING
        key = lookup(sse, "kmsKeyArn")  # None, not MISSING, for "absent": key_ref reads MISSING as "look it up"
        facts = enc_06.Table(configured, lookup(sse, "enabled"),
                             key_ref(table, "serverSideEncryption", None if key is MISSING else key, stack=stack))
        yield from stack_results(enc_06.decide(facts), table.urn)
