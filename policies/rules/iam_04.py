"""IAM-04 in the pack: a database's master credentials, every secret rotation's schedule, and the credentials of
each RDS Proxy (``controls.iam_04``).

A master password read from a ``SecretVersion`` is judged with the rotations of
that version's secret. The RDS-managed secret's own rotation is not visible before
the deploy (RDS creates it): the audit reads it. A proxy's secrets are the
``Secret`` resources its ``auths`` were computed from (or a database whose managed
master secret they name); auth entries naming more secrets than the stack
declares name secrets outside it, which cannot be verified.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from controls import iam_04
from controls.values import MISSING, UNKNOWN, as_list, lookup, truthy
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


def _proxy_secrets(stack: StackView, proxy: Resource) -> tuple[tuple[iam_04.ProxySecret, ...] | Any, int]:
    """The secrets a proxy's ``auths`` name, and how many entries name none."""
    auths = proxy.lookup("auths")
    if auths is UNKNOWN:
        return UNKNOWN, 0
    entries = as_list(auths)
    if any(e is UNKNOWN for e in entries):
        return UNKNOWN, 0
    arns = [lookup(e, "secretArn") for e in entries]
    named = len({a for a in arns if isinstance(a, str)}) + sum(1 for a in arns if a is UNKNOWN)
    found = []
    for secret in stack.sources(proxy, "auths", t.SECRET):
        rotations = tuple(replace(rotation(r), where=f"the rotation '{r.name}' of secret '{secret.name}'")
                          for r in stack.referrers(secret, "secretId", t.SECRET_ROTATION))
        found.append(iam_04.ProxySecret(f"secret '{secret.name}'", rotations))
    for database in stack.sources(proxy, "auths", t.RDS_CLUSTER, t.RDS_INSTANCE):
        managed = database.lookup("manageMasterUserPassword")
        found.append(iam_04.ProxySecret(f"the master secret of {database.label()}", (),
                                        managed=managed is UNKNOWN or truthy(managed)))
    if named > len(found):
        found.append(iam_04.ProxySecret(f"secrets its auths name outside this stack ({named - len(found)})", None))
    return tuple(found), sum(1 for a in arns if a is MISSING)


@registry.stack("IAM-04", "rds-proxy-credentials-rotated",
                "RDS proxies reach their database with IAM, or with Secrets Manager secrets that rotate "
                "automatically.", [t.RDS_PROXY], parameters=("maxRotationDays",))
def rds_proxy_credentials_rotated(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for proxy in stack.of_type(t.RDS_PROXY):
        secrets, unnamed = _proxy_secrets(stack, proxy)
        facts = iam_04.Proxy(proxy.label(), proxy.lookup("defaultAuthScheme"), secrets, unnamed)
        yield from stack_results(iam_04.decide_proxy(facts, config["maxRotationDays"]), proxy.urn)
