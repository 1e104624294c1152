"""The converted plan as our checks read it: every resource's planned values and the references between them.

checkov hands a check one resource's configuration, but a control is often about
several resources (a security group and the rules that name it, a bucket and its
policy, a trail and its log group). Our checks therefore read the whole plan that
checkov scans, once per checkov process, from the file ``compliance scan`` names in
``IOT_PLAN_FILE``, and find the resource being checked by checkov's own address
(``conf["__address__"]``).

References are the plan's ``configuration`` expressions (``["aws_kms_key.kinesis.arn",
"aws_kms_key.kinesis"]``): the converter writes one per input the Pulumi graph ties to
another resource and, as in a real first plan, leaves such a plain-string value out of
``values``. ``value`` says so with ``REFERENCE``, so no adapter mistakes a computed
input for an absent one.

Plain Python (no checkov import): the harness's tests read it too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

PLAN_ENV = "IOT_PLAN_FILE"


class PlanUnavailable(Exception):
    """The plan cannot be read: the checks cannot see related resources, so they cannot decide."""


class _Reference:
    def __repr__(self) -> str:
        return "REFERENCE"


REFERENCE = _Reference()  # the value is computed from another resource (see ``PlanIndex.references``)


class PlanIndex:
    def __init__(self, document: dict[str, Any]) -> None:
        planned = document.get("planned_values", {}).get("root_module", {}).get("resources", [])
        self._values: dict[str, dict[str, Any]] = {r["address"]: r.get("values") or {} for r in planned}
        self._types = {r["address"]: r["type"] for r in planned}
        self._references: dict[tuple[str, str], list[str]] = {}
        self._referrers: dict[tuple[str, str], list[str]] = {}
        for resource in document.get("configuration", {}).get("root_module", {}).get("resources", []):
            for attribute, expression in (resource.get("expressions") or {}).items():
                targets = [t for t in dict.fromkeys((expression or {}).get("references") or []) if t in self._types]
                self._references[(resource["address"], attribute)] = targets
                for target in targets:
                    self._referrers.setdefault((target, attribute), []).append(resource["address"])

    def type_of(self, address: str) -> str:
        return self._types[address]

    def values(self, address: str) -> dict[str, Any]:
        return self._values[address]

    def value(self, address: str, attribute: str) -> Any:
        """The planned value, ``REFERENCE`` when computed from another resource, None when absent."""
        values = self._values[address]
        if attribute in values:
            return values[attribute]
        return REFERENCE if self._references.get((address, attribute)) else None

    def references(self, address: str, attribute: str, types: Iterable[str] = ()) -> list[str]:
        """The resources an attribute was computed from, optionally of some types."""
        wanted = set(types)
        return [t for t in self._references.get((address, attribute), []) if not wanted or self._types[t] in wanted]

    def referrers(self, target: str, attribute: str, types: Iterable[str] = ()) -> list[str]:
        """The resources whose ``attribute`` was computed from ``target`` (the rules of a group, say)."""
        wanted = set(types)
        return [a for a in self._referrers.get((target, attribute), []) if not wanted or self._types[a] in wanted]

    def of_type(self, *types: str) -> list[str]:
        return [a for a, t in self._types.items() if t in types]


@cache
def _load(path: str) -> PlanIndex:
    try:
        return PlanIndex(json.loads(Path(path).read_text()))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PlanUnavailable(f"the plan {path} cannot be read ({type(exc).__name__}: {exc})") from None


def plan() -> PlanIndex:
    """The plan checkov is scanning (``IOT_PLAN_FILE``)."""
    path = os.environ.get(PLAN_ENV)
    if not path:
        raise PlanUnavailable(f"{PLAN_ENV} is not set: run the scan through `python -m compliance scan`, or set it "
                              "to the plan file checkov scans")
    return _load(path)
