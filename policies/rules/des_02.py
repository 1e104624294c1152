"""DES-02 in the pack: the settings that keep each resource destroyable (``controls.des_02``), one policy per kind."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from controls import des_02
from rules import types as t
from rules.model import Resource
from rules.registry import Registry, resource_results

registry = Registry()

# (policy slug, description, the types it judges, the kind of resource in the decision's vocabulary)
POLICIES = (
    ("database-destroyable", "Databases have no deletion protection and skip the final snapshot.",
     (t.RDS_CLUSTER, t.RDS_INSTANCE), des_02.DATABASE),
    ("dynamodb-no-deletion-protection", "DynamoDB tables have no deletion protection.", (t.DYNAMODB_TABLE,),
     des_02.TABLE),
    ("s3-force-destroy", "S3 buckets are force-destroyable.", t.S3_BUCKETS, des_02.BUCKET),
    ("log-group-deleted-with-stack", "Log groups are deleted with the stack (no skipDestroy).", (t.LOG_GROUP,),
     des_02.LOG_GROUP),
    ("function-deleted-with-stack", "Lambda functions are deleted with the stack (no skipDestroy).",
     (t.LAMBDA_FUNCTION,), des_02.FUNCTION),
)


def _judge(kind: str) -> Callable[[Resource, dict[str, Any]], Iterator[Any]]:
    def judged(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
        settings = {req.setting: r.lookup(req.setting) for req in des_02.REQUIREMENTS[kind]}
        yield from resource_results(des_02.decide(des_02.Resource(kind, settings)))
    return judged


for slug, description, types, kind in POLICIES:
    registry.resource("DES-02", slug, description, types)(_judge(kind))
