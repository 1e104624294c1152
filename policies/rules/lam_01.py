"""LAM-01 in the pack: a function's runtime (``controls.lam_01``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import lam_01
from rules import types as t
from rules.model import Resource
from rules.registry import Registry, resource_results

registry = Registry()


@registry.resource("LAM-01", "approved-runtime",
                   "Lambda functions use an approved runtime.", [t.LAMBDA_FUNCTION],
                   parameters=("approvedRuntimes",))
def approved_runtime(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    function = lam_01.Function(r.lookup("runtime"), r.lookup("packageType"))
    yield from resource_results(lam_01.decide(function, config["approvedRuntimes"]))
