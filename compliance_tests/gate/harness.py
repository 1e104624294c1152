"""Test helpers shared by the gate and policy suites: graph builders and one pack process per stack.

The pack is a real subprocess spoken to over gRPC, as in ``pulumi preview``;
starting it costs about a second, so ``PackPool`` keeps one process per stack
identity for the whole session and every test reuses it (``evaluate`` calls
Configure each time, so no configuration leaks between tests).
"""

from __future__ import annotations

import atexit
import copy
import functools
import json
from pathlib import Path
from typing import Any

from compliance.catalog import Catalog, load_catalog
from compliance.engine import UNKNOWN
from compliance.findings import Finding
from compliance.gate.pack import PackProcess, stack_identity
from compliance.gate.run import GateResult, evaluate
from compliance.graph import Graph, validate_graph

PROJECT = "iot-sensor-platform"
STACK = "dev"
CONFIG = {"aws:region": "sa-east-1", f"{PROJECT}:environmentSuffix": "dev"}
ACCOUNT = "123456789012"

__all__ = ["UNKNOWN", "PackPool", "graph", "resource", "urn", "key_arn", "finding", "run", "mutated"]


def urn(type_token: str, name: str) -> str:
    return f"urn:pulumi:{STACK}::{PROJECT}::{type_token}::{name}"


def key_arn(name: str) -> str:
    return f"arn:aws:kms:sa-east-1:{ACCOUNT}:key/{name}"


def resource(type_token: str, name: str, inputs: dict[str, Any] | None = None, *,
             deps: dict[str, list[dict[str, Any]]] | None = None, protect: bool = False,
             retain: bool = False, custom: bool = True) -> dict[str, Any]:
    """A graph.json resource; ``deps`` maps an input to the resources it was computed from."""
    property_dependencies = {prop: sorted(d["urn"] for d in sources) for prop, sources in (deps or {}).items()}
    return {
        "urn": urn(type_token, name), "type": type_token, "name": name, "custom": custom, "parent": "",
        "inputs": dict(inputs or {}),
        "options": {"protect": protect, "retainOnDelete": retain, "provider": ""},
        "dependencies": sorted({u for urns in property_dependencies.values() for u in urns}),
        "propertyDependencies": property_dependencies,
        "source": None,
    }


def graph(*resources: dict[str, Any], config: dict[str, str] | None = None) -> Graph:
    return validate_graph({"schemaVersion": 1, "project": PROJECT, "stack": STACK,
                           "config": dict(CONFIG if config is None else config), "outputs": {},
                           "resources": list(resources)}, "test graph")


def mutated(base: Graph, type_token: str, name: str | None = None, *, set_inputs: dict[str, Any] | None = None,
            drop: tuple[str, ...] = (), options: dict[str, Any] | None = None) -> tuple[Graph, dict[str, Any]]:
    """A deep copy of ``base`` with one resource changed; returns the graph and the changed resource."""
    data = copy.deepcopy(base.data)
    target = next((r for r in data["resources"]
                   if r["type"] == type_token and (name is None or r["name"] == name)), None)
    if target is None:
        raise LookupError(f"no {type_token} {name or ''} in the graph to mutate")
    for path, value in (set_inputs or {}).items():
        _set_path(target["inputs"], path, value)
    for path in drop:
        _drop_path(target["inputs"], path)
        if "." not in path:  # the engine records no dependencies for an input it does not send
            target.get("propertyDependencies", {}).pop(path, None)
    target["options"].update(options or {})
    return validate_graph(data, "mutated graph"), target


def _walk(inputs: dict[str, Any], path: str) -> tuple[Any, str]:
    parts = path.split(".")
    node: Any = inputs
    for part in parts[:-1]:
        if isinstance(node, str):  # JSON-encoded input (policy documents, some nested blocks)
            raise TypeError(f"{path}: {part} is a JSON string; replace the whole input")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node, parts[-1]


def _set_path(inputs: dict[str, Any], path: str, value: Any) -> None:
    node, last = _walk(inputs, path)
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _drop_path(inputs: dict[str, Any], path: str) -> None:
    node, last = _walk(inputs, path)
    node.pop(last, None)


def finding(result: GateResult, control: str, res: dict[str, Any]) -> Finding:
    matches = [f for f in result.findings if f.control == control and f.resource.id == res["urn"]]
    assert len(matches) == 1, f"expected one {control} finding for {res['name']}, got {matches}"
    return matches[0]


def stack_finding(result: GateResult, control: str) -> Finding:
    matches = [f for f in result.findings if f.control == control and f.resource.type == "stack"]
    assert len(matches) == 1, f"expected one stack-level {control} finding, got {matches}"
    return matches[0]


class PackPool:
    """One running pack per (project, stack, config), shared by every test of the session."""

    def __init__(self) -> None:
        self._packs: dict[tuple[str, str, str], PackProcess] = {}

    def for_graph(self, g: Graph) -> PackProcess:
        key = stack_identity(g.project, g.stack, g.config)
        pack = self._packs.get(key)
        if pack is None or not pack.alive():
            pack = PackProcess(project=g.project, stack=g.stack, config=g.config)
            self._packs[key] = pack
        return pack

    def close(self) -> None:
        for pack in self._packs.values():
            pack.close()
        self._packs.clear()


POOL = PackPool()
atexit.register(POOL.close)  # also if the session dies before its fixtures' teardown


def run(g: Graph, *, config: dict[str, Any] | None = None, tmp_path: Path | None = None,
        first_preview: bool = False) -> GateResult:
    """Evaluate a graph with the session's pack; ``config`` is written as a --policy-pack-config file."""
    config_file = None
    if config is not None:
        assert tmp_path is not None, "a policy pack config needs tmp_path"
        config_file = tmp_path / "policy-config.json"
        config_file.write_text(json.dumps(config))
    return evaluate(g, POOL.for_graph(g), config_file=config_file, first_preview=first_preview, catalog=catalog())


@functools.cache
def catalog() -> Catalog:
    """The control catalog, parsed once per session (pure-Python YAML takes a noticeable fraction of a second)."""
    return load_catalog()
