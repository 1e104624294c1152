"""ENC-02 in the pack: each Aurora cluster's storage encryption and key (``controls.enc_02``).

A stack policy, so that a key named by the literal alias of a ``kms.Alias`` of the
stack resolves as it does in the static scan and the live audit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import enc_02
from rules import types as t
from rules.keyrefs import key_ref
from rules.model import StackView
from rules.registry import Registry, stack_results

registry = Registry()


@registry.stack("ENC-02", "aurora-customer-managed-key",
                "Aurora cluster storage is encrypted with a customer-managed KMS key.", [t.RDS_CLUSTER])
def aurora_customer_managed_key(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for cluster in stack.of_type(t.RDS_CLUSTER):
        facts = enc_02.Cluster(cluster.lookup("storageEncrypted"), key_ref(cluster, "kmsKeyId", stack=stack))
        yield from stack_results(enc_02.decide(facts), cluster.urn)
