"""ENC-10: Aurora clusters enforce TLS through their cluster parameter group (``rds.force_ssl`` = 1), and so
does the RDS Proxy in front of them (``requireTls``).

The parameter that refuses plain-text sessions depends on the engine:
``rds.force_ssl`` = 1 for PostgreSQL (Aurora PostgreSQL, Multi-AZ PostgreSQL
clusters), ``require_secure_transport`` = ON (or 1) for MySQL. Both are off by
default, and a default parameter group (``default.<family>``, or no group named
at all) cannot be modified, so a cluster on a default group fails in every layer
without reading it. A custom group must set the parameter; a group the layer
cannot read (declared outside the stack) cannot be verified before the deploy
and fails there, naming the fix.

An RDS Proxy terminates the client's session itself: unless ``requireTls`` is
true it accepts plain-text clients (AWS's default is false) whatever the
cluster behind it enforces, so it fails; a value known only at apply is undecided.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from controls.values import MISSING, UNKNOWN, describe, truthy
from controls.verdict import Judgement, Verdict

CONTROL = "ENC-10"
DEFAULT_GROUP_PREFIX = "default."
_POSTGRES = ("rds.force_ssl", "1", frozenset({"1"}))
_MYSQL = ("require_secure_transport", "ON", frozenset({"1", "on"}))
TLS_PARAMETERS = {"aurora-postgresql": _POSTGRES, "postgres": _POSTGRES, "aurora-mysql": _MYSQL, "mysql": _MYSQL,
                  "aurora": _MYSQL}


@dataclass(frozen=True)
class ParameterGroup:
    """The cluster parameter group a cluster uses.

    ``parameters``: name -> value as the layer read them; UNKNOWN when known only
    at apply; None when this layer cannot read them (a group not declared in the
    stack).
    """

    name: Any
    parameters: Mapping[str, Any] | Any | None


@dataclass(frozen=True)
class Cluster:
    """``engine`` and the group: MISSING when the cluster names none (it gets the default group)."""

    engine: Any
    group: ParameterGroup | Any


def tls_parameter(engine: Any) -> tuple[str, str, frozenset[str]]:
    """(parameter, the value to set, the values that enforce TLS) for the engine."""
    return TLS_PARAMETERS.get(str(engine).lower() if isinstance(engine, str) else "", _POSTGRES)


def decide(cluster: Cluster) -> Verdict:
    judgement = Judgement()
    if cluster.engine is UNKNOWN:
        judgement.unknown("engine")
        return judgement.verdict("")
    parameter, wanted, enforcing = tls_parameter(cluster.engine)
    attach = f"attach a ClusterParameterGroup with {parameter} = {wanted}."
    group = cluster.group
    if group is UNKNOWN:
        judgement.unknown("dbClusterParameterGroupName")
    elif group is MISSING or (isinstance(group.name, str) and group.name.startswith(DEFAULT_GROUP_PREFIX)):
        shown = "" if group is MISSING else f" {group.name}"
        judgement.fail(f"the cluster uses the default parameter group{shown}, where {parameter} is off and cannot be "
                       f"changed: {attach}", "dbClusterParameterGroupName")
    elif group.parameters is None:
        judgement.fail(f"parameter group {describe(group.name)} is not declared in this stack, so {parameter} cannot "
                       f"be verified: declare the ClusterParameterGroup with {parameter} = {wanted} in the program.",
                       "dbClusterParameterGroupName")
    elif group.parameters is UNKNOWN:
        judgement.unknown("parameters")
    else:
        value = group.parameters.get(parameter, MISSING)
        if value is UNKNOWN:
            judgement.unknown(f"parameters.{parameter}")
        elif _normal(value) not in enforcing:
            found = f"leaves {parameter} unset (off)" if value is MISSING else f"sets {parameter} to {describe(value)}"
            judgement.fail(f"parameter group {describe(group.name)} {found}: set {parameter} = {wanted}.",
                           f"parameters.{parameter}")
    return judgement.verdict(f"{parameter} enforces TLS in parameter group "
                             f"{describe(getattr(group, 'name', MISSING))}")


def _normal(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().lower() if value is not MISSING else ""


@dataclass(frozen=True)
class Proxy:
    """An RDS Proxy: ``require_tls`` as the layer read it (True/False, ``MISSING``: AWS's default false, ``UNKNOWN``)."""

    label: str
    require_tls: Any


def decide_proxy(proxy: Proxy) -> Verdict:
    judgement = Judgement()
    if proxy.require_tls is UNKNOWN:
        judgement.unknown("requireTls")
    elif not truthy(proxy.require_tls):
        found = "leaves requireTls unset (false)" if proxy.require_tls is MISSING else \
            f"sets requireTls to {describe(proxy.require_tls)}"
        judgement.fail(f"{proxy.label} {found}, so it accepts plain-text client sessions: set requireTls to true.",
                       "requireTls")
    return judgement.verdict(f"{proxy.label} requires TLS from its clients (requireTls)")
