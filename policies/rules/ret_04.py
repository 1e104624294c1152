"""RET-04 in the pack: a log group's retention (``controls.ret_04``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import ret_04
from rules import types as t
from rules.model import Resource
from rules.registry import Registry, resource_results

registry = Registry()


@registry.resource("RET-04", "log-group-retention",
                   "CloudWatch log groups expire events after at least 30 days (never-expire is a violation).",
                   [t.LOG_GROUP], parameters=("minDays",))
def log_group_retention(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from resource_results(ret_04.decide(ret_04.Retention(r.lookup(ret_04.PATH)), config["minDays"]))
