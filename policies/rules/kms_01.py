"""KMS-01 in the pack: each KMS key's rotation, decided by ``controls.kms_01``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import kms_01
from rules import types as t
from rules.model import Resource
from rules.registry import Registry, resource_results

registry = Registry()


@registry.resource("KMS-01", "key-rotation-enabled",
                   "Customer-managed KMS keys rotate their key material automatically.", [t.KMS_KEY])
def key_rotation_enabled(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    facts = kms_01.Key(spec=r.lookup("customerMasterKeySpec"), rotation=r.lookup("enableKeyRotation"),
                       custom_key_store=r.lookup("customKeyStoreId"))
    yield from resource_results(kms_01.decide(facts))
