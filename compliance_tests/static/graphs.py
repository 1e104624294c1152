"""Small graph.json documents for converter tests (no program, no checkov)."""

from __future__ import annotations

from typing import Any

from compliance.graph import Graph, validate_graph

STACK, PROJECT = "dev", "iot-sensor-platform"


def urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:{STACK}::{PROJECT}::{type_token}::{name}"


def resource(type_token: str, name: str, inputs: dict[str, Any] | None = None, *, custom: bool = True,
             deps: dict[str, list[str]] | None = None, source: dict | None = None) -> dict[str, Any]:
    deps = deps or {}
    return {
        "urn": urn(type_token, name), "type": type_token, "name": name, "custom": custom, "parent": "",
        "inputs": inputs or {}, "options": {"protect": False, "retainOnDelete": False},
        "dependencies": sorted({u for urns in deps.values() for u in urns}), "propertyDependencies": deps,
        "source": source,
    }


def graph_of(*resources: dict[str, Any], suffix: str = "dev") -> Graph:
    return validate_graph({
        "schemaVersion": 1, "project": PROJECT, "stack": STACK,
        "config": {"aws:region": "sa-east-1", f"{PROJECT}:environmentSuffix": suffix},
        "outputs": {}, "resources": list(resources),
    }, "test graph")
