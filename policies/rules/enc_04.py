"""ENC-04 in the pack: secrets, and the master-password secret RDS manages for a database (``controls.enc_04``).

Stack policies, so that a key named by the literal alias of a ``kms.Alias`` of the
stack resolves as it does in the static scan and the live audit.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import enc_04
from rules import types as t
from rules.keyrefs import key_ref
from rules.model import StackView
from rules.registry import Registry, stack_results

registry = Registry()
DATABASES = (t.RDS_CLUSTER, t.RDS_INSTANCE)


@registry.stack("ENC-04", "secret-customer-managed-key",
                "Secrets Manager secrets encrypt with a customer-managed KMS key.", [t.SECRET])
def secret_customer_managed_key(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for secret in stack.of_type(t.SECRET):
        yield from stack_results(enc_04.decide(enc_04.Secret(key_ref(secret, "kmsKeyId", stack=stack))), secret.urn)


@registry.stack("ENC-04", "rds-managed-secret-customer-managed-key",
                "The master-password secret that RDS manages encrypts with a customer-managed KMS key.", DATABASES)
def rds_managed_secret_customer_managed_key(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for database in stack.of_type(*DATABASES):
        facts = enc_04.ManagedMasterSecret(database.lookup("manageMasterUserPassword"),
                                           key_ref(database, "masterUserSecretKmsKeyId", stack=stack))
        yield from stack_results(enc_04.decide(facts), database.urn)
