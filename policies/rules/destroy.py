"""DES-01, DES-02: every stack can be destroyed by the pipeline that created it.

DES-01's retainOnDelete half is not visible to CrossGuard (the Analyzer's
resource options carry ``protect`` but not ``retainOnDelete``): the offline gate
checks it from graph.json, and the program's stack transform refuses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rules import types as t
from rules.model import Resource
from rules.registry import ALL_RESOURCES, Registry, Undecided
from rules.values import UNKNOWN, describe, truthy

registry = Registry()


@registry.resource("DES-01", "no-protect",
                   "No resource is protected against deletion (protect=True).", [ALL_RESOURCES])
def no_protect(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    if r.protect:
        yield "the resource is protected, so `pulumi destroy` stops on it: remove protect=True from its options."


def _must_be(r: Resource, path: str, wanted: bool, fix: str) -> Iterator[Any]:
    value = r.lookup(path)
    if value is UNKNOWN:
        yield Undecided(path)
    elif truthy(value) != wanted:
        yield f"{path} is {describe(value)}: {fix}"


@registry.resource("DES-02", "database-destroyable",
                   "Databases have no deletion protection and skip the final snapshot.",
                   [t.RDS_CLUSTER, t.RDS_INSTANCE])
def database_destroyable(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from _must_be(r, "deletionProtection", False, "set deletionProtection to false.")
    yield from _must_be(r, "skipFinalSnapshot", True,
                        "set skipFinalSnapshot to true (backups carry retention, see RET-01).")


@registry.resource("DES-02", "dynamodb-no-deletion-protection",
                   "DynamoDB tables have no deletion protection.", [t.DYNAMODB_TABLE])
def dynamodb_no_deletion_protection(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from _must_be(r, "deletionProtectionEnabled", False, "set deletionProtectionEnabled to false.")


@registry.resource("DES-02", "s3-force-destroy",
                   "S3 buckets are force-destroyable.", t.S3_BUCKETS)
def s3_force_destroy(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from _must_be(r, "forceDestroy", True,
                        "set forceDestroy to true (versioning and lifecycle carry retention, see RET-03).")


@registry.resource("DES-02", "log-group-deleted-with-stack",
                   "Log groups are deleted with the stack (no skipDestroy).", [t.LOG_GROUP])
def log_group_deleted_with_stack(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from _must_be(r, "skipDestroy", False, "remove skipDestroy (retention is set by retentionInDays).")
