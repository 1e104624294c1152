"""LAM-01: Lambda runtimes from the approved list (GOV-01..03 live in ``rules/gov_0n.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rules import types as t
from rules.model import Resource
from rules.registry import NotApplicable, Registry, Undecided
from rules.values import UNKNOWN, describe

registry = Registry()


@registry.resource("LAM-01", "approved-runtime",
                   "Lambda functions use an approved runtime.", [t.LAMBDA_FUNCTION],
                   parameters=("approvedRuntimes",))
def approved_runtime(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    approved = list(config["approvedRuntimes"])
    if r.lookup("packageType") == "Image":
        raise NotApplicable("a container-image function has no managed runtime")
    runtime = r.lookup("runtime")
    if runtime is UNKNOWN:
        yield Undecided("runtime")
    elif runtime not in approved:
        yield f"runtime is {describe(runtime)}: use one of {', '.join(approved)}."
