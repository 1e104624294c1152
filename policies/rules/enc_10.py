"""ENC-10 in the pack: each Aurora cluster with the parameter group it names, and each RDS Proxy's ``requireTls``,
decided by ``controls.enc_10``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from controls import enc_10
from rules import types as t
from rules.model import Resource, StackView
from rules.registry import Registry, resource_results, stack_results
from rules.values import MISSING, UNKNOWN, as_list, lookup

registry = Registry()


def _group(cluster: Resource, stack: StackView) -> Any:
    """The cluster's parameter group: MISSING (the default), or its name and the parameters the stack declares."""
    name = cluster.lookup("dbClusterParameterGroupName")
    if name is MISSING:
        return MISSING
    groups = (stack.sources(cluster, "dbClusterParameterGroupName", t.RDS_CLUSTER_PARAMETER_GROUP)
              or stack.named("name", name, t.RDS_CLUSTER_PARAMETER_GROUP))
    if not groups:
        return UNKNOWN if name is UNKNOWN else enc_10.ParameterGroup(name, None)
    group = groups[0]
    declared = group.lookup("parameters")
    if declared is UNKNOWN or any(p is UNKNOWN or lookup(p, "name") is UNKNOWN for p in as_list(declared)):
        return enc_10.ParameterGroup(group.lookup("name"), UNKNOWN)
    parameters = {str(lookup(p, "name")): lookup(p, "value") for p in as_list(declared)}
    shown = group.lookup("name")
    return enc_10.ParameterGroup(shown if isinstance(shown, str) else group.name, parameters)


@registry.stack("ENC-10", "aurora-force-ssl",
                "Aurora clusters use a cluster parameter group that enforces TLS (rds.force_ssl=1).",
                [t.RDS_CLUSTER])
def aurora_force_ssl(stack: StackView, config: dict[str, Any]) -> Iterator[Any]:
    for cluster in stack.of_type(t.RDS_CLUSTER):
        facts = enc_10.Cluster(cluster.lookup("engine"), _group(cluster, stack))
        yield from stack_results(enc_10.decide(facts), cluster.urn)


@registry.resource("ENC-10", "rds-proxy-requires-tls",
                   "RDS proxies require TLS from their clients (requireTls).", [t.RDS_PROXY])
def rds_proxy_requires_tls(r: Resource, config: dict[str, Any]) -> Iterator[Any]:
    yield from resource_results(enc_10.decide_proxy(enc_10.Proxy(r.label(), r.lookup("requireTls"))))
