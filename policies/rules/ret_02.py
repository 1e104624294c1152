"""RET-02 in the pack: a DynamoDB table's point-in-time recovery (``controls.ret_02``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import ret_02
from rules import types as t
from rules.model import Resource
from rules.registry import Registry, resource_results

registry = Registry()


@registry.resource("RET-02", "dynamodb-point-in-time-recovery",
                   "DynamoDB tables have point-in-time recovery on.", [t.DYNAMODB_TABLE])
def dynamodb_point_in_time_recovery(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from resource_results(ret_02.decide(ret_02.Recovery(r.lookup(ret_02.PATH))))
