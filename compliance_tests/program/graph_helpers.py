"""Reading the rendered graph: find resources, parse policies, follow property dependencies."""

from __future__ import annotations

import importlib
import inspect
import json
from typing import Any

from compliance.graph import Graph

# The network-interface calls a VPC-attached Lambda needs; EC2 allows no resource scoping for them.
VPC_LAMBDA_ENI_ACTIONS = frozenset({
    "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
})


def of_type(graph: Graph, type_token: str) -> list[dict[str, Any]]:
    found = graph.of_type(type_token)
    assert found, f"the graph holds no {type_token}"
    return found


def one(graph: Graph, type_token: str, name: str | None = None) -> dict[str, Any]:
    """The single resource of a type (or of a type and logical name)."""
    found = [r for r in of_type(graph, type_token) if name is None or r["name"] == name]
    assert len(found) == 1, f"expected one {type_token} {name or ''}, found {[r['name'] for r in found]}"
    return found[0]


def policy(resource: dict[str, Any], field: str = "policy") -> dict[str, Any]:
    """A policy document input, parsed."""
    return json.loads(resource["inputs"][field])


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = document["Statement"]
    return found if isinstance(found, list) else [found]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def depends_on(graph: Graph, resource: dict[str, Any], prop: str, type_token: str) -> list[dict[str, Any]]:
    """The resources of ``type_token`` that input ``prop`` was built from (Pulumi's property dependencies)."""
    urns = resource["propertyDependencies"].get(prop, [])
    by_urn = graph.by_urn()
    return [by_urn[u] for u in urns if by_urn[u]["type"] == type_token]


def provider_class(type_token: str) -> type:
    """The pulumi_aws class behind a type token, e.g. aws:kinesis/stream:Stream -> pulumi_aws.kinesis.Stream."""
    _, module_path, class_name = type_token.split(":")
    module = module_path.split("/")[0]
    package = importlib.import_module(f"pulumi_aws.{'lambda_' if module == 'lambda' else module}")
    return getattr(package, class_name)


def is_taggable(type_token: str) -> bool:
    return "tags" in inspect.signature(provider_class(type_token)._internal_init).parameters
