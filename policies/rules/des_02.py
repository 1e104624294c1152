"""DES-02 in the pack: the settings that keep each resource destroyable (``controls.des_02``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import des_02
from rules import types as t
from rules.model import Resource
from rules.registry import Registry, resource_results

registry = Registry()


def _judged(r: Resource, kind: str) -> Iterator[Any]:
    settings = {req.setting: r.lookup(req.setting) for req in des_02.REQUIREMENTS[kind]}
    yield from resource_results(des_02.decide(des_02.Resource(kind, settings)))


@registry.resource("DES-02", "database-destroyable",
                   "Databases have no deletion protection and skip the final snapshot.",
                   [t.RDS_CLUSTER, t.RDS_INSTANCE])
def database_destroyable(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from _judged(r, des_02.DATABASE)


@registry.resource("DES-02", "dynamodb-no-deletion-protection",
                   "DynamoDB tables have no deletion protection.", [t.DYNAMODB_TABLE])
def dynamodb_no_deletion_protection(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from _judged(r, des_02.TABLE)


@registry.resource("DES-02", "s3-force-destroy",
                   "S3 buckets are force-destroyable.", t.S3_BUCKETS)
def s3_force_destroy(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from _judged(r, des_02.BUCKET)


@registry.resource("DES-02", "log-group-deleted-with-stack",
                   "Log groups are deleted with the stack (no skipDestroy).", [t.LOG_GROUP])
def log_group_deleted_with_stack(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from _judged(r, des_02.LOG_GROUP)


@registry.resource("DES-02", "function-deleted-with-stack",
                   "Lambda functions are deleted with the stack (no skipDestroy).", [t.LAMBDA_FUNCTION])
def function_deleted_with_stack(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from _judged(r, des_02.FUNCTION)
