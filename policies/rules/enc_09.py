"""ENC-09 in the pack: Lambda environment variables and SQS queues (``controls.enc_09``).

Stack policies, so that a key named by the literal alias of a ``kms.Alias`` of the
stack resolves as it does in the static scan and the live audit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import enc_09
from rules import types as t
from rules.keyrefs import key_ref
from rules.model import StackView
from rules.registry import Registry, stack_results

registry = Registry()


@registry.stack("ENC-09", "lambda-environment-customer-managed-key",
                "Lambda environment variables encrypt with a customer-managed KMS key.", [t.LAMBDA_FUNCTION])
def lambda_environment_customer_managed_key(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for function in stack.of_type(t.LAMBDA_FUNCTION):
        facts = enc_09.Function(function.lookup("environment.variables"),
                                key_ref(function, "kmsKeyArn", stack=stack))
        yield from stack_results(enc_09.decide(facts), function.urn)


@registry.stack("ENC-09", "sqs-customer-managed-key",
                "SQS queues encrypt with a customer-managed KMS key.", [t.SQS_QUEUE])
def sqs_customer_managed_key(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for queue in stack.of_type(t.SQS_QUEUE):
        facts = enc_09.Queue(key_ref(queue, "kmsMasterKeyId", stack=stack), queue.lookup("sqsManagedSseEnabled"))
        yield from stack_results(enc_09.decide(facts), queue.urn)
