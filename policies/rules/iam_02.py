"""IAM-02 in the pack: an IoT policy's document (``controls.iam_02``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import iam_02
from rules import types as t
from rules.documents import document_input
from rules.model import Resource
from rules.registry import Registry, resource_results

registry = Registry()


@registry.resource("IAM-02", "iot-policy-scoped-to-thing",
                   "IoT policies let a device act only as its own thing; no iot:* or * actions.", [t.IOT_POLICY])
def iot_policy_scoped_to_thing(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from resource_results(iam_02.decide(document_input(r.lookup("policy"))))
