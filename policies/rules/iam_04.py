"""IAM-04 in the pack: a database's master credentials, and every secret rotation's schedule (``controls.iam_04``).

A master password read from a ``SecretVersion`` is judged with the rotations of
that version's secret. The RDS-managed secret's own rotation is not visible before
the deploy (RDS creates it): the audit reads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import iam_04
from controls.values import MISSING, UNKNOWN, lookup
from rules import types as t
from rules.model import Resource, StackView
from rules.registry import Registry, resource_results, stack_results

registry = Registry()


def rotation(r: Resource) -> iam_04.Rotation:
    rules = r.lookup("rotationRules")
    if rules is UNKNOWN:
        return iam_04.Rotation(f"rotation '{r.name}'", UNKNOWN)
    return iam_04.Rotation(f"rotation '{r.name}'", lookup(rules, "automaticallyAfterDays"),
                           lookup(rules, "scheduleExpression"))


@registry.resource("IAM-04", "secret-rotation-schedule",
                   "Secret rotation runs at least every 30 days.", [t.SECRET_ROTATION],
                   parameters=("maxRotationDays",))
def secret_rotation_schedule(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from resource_results(iam_04.decide_rotation(rotation(r), config["maxRotationDays"]))


@registry.stack("IAM-04", "database-credentials-in-secrets-manager",
                "Database master credentials live in Secrets Manager and rotate automatically.",
                [t.RDS_CLUSTER, t.RDS_INSTANCE], parameters=("maxRotationDays",))
def database_credentials_in_secrets_manager(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for database in stack.of_type(t.RDS_CLUSTER, t.RDS_INSTANCE):
        versions = stack.sources(database, "masterPassword", t.SECRET_VERSION)
        secrets = [s for v in versions for s in stack.sources(v, "secretId", t.SECRET)]
        rotations = tuple(rotation(r) for s in secrets for r in stack.referrers(s, "secretId", t.SECRET_ROTATION))
        facts = iam_04.Credentials(database.label(), database.lookup("manageMasterUserPassword"),
                                   database.lookup("masterPassword") is not MISSING, rotations or None)
        yield from stack_results(iam_04.decide(facts, config["maxRotationDays"]), database.urn)
