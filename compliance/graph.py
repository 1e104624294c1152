"""graph.json: every resource the program registers, as the engine sees it.

::

    {
      "schemaVersion": 1,
      "project": "iot-sensor-platform", "stack": "dev",
      "config": {"iot-sensor-platform:environmentSuffix": "dev", "aws:region": "sa-east-1", ...},
      "outputs": {...stack outputs, secrets redacted...},
      "resources": [
        {"urn": ..., "type": "aws:kinesis/stream:Stream", "name": "telemetry", "custom": true,
         "parent": URN or "", "inputs": {camelCase inputs, numbers as floats, secrets "[secret]"},
         "options": {"protect": false, "retainOnDelete": false, ...},
         "dependencies": [URN, ...], "propertyDependencies": {"kmsKeyId": [URN, ...]},
         "source": {"file": "program/components/ingestion.py", "line": 42} or null}
      ]
    }

Resources keep registration order (parents before children). The file is the
contract between ``render`` and every stage that reads the program.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from compliance.errors import EvaluationError
from compliance.findings import write_json_atomic

SCHEMA_VERSION = 1

GRAPH_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["schemaVersion", "project", "stack", "config", "outputs", "resources"],
    "properties": {
        "schemaVersion": {"const": SCHEMA_VERSION},
        "project": {"type": "string", "minLength": 1},
        "stack": {"type": "string", "minLength": 1},
        "config": {"type": "object", "additionalProperties": {"type": "string"}},
        "outputs": {"type": "object"},
        "resources": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["urn", "type", "name", "custom", "parent", "inputs", "options",
                             "dependencies", "propertyDependencies"],
                "properties": {
                    "urn": {"type": "string", "pattern": "^urn:pulumi:"},
                    "type": {"type": "string", "pattern": "^[A-Za-z0-9_-]+:[A-Za-z0-9_/.-]*:[A-Za-z0-9_]+$"},
                    "name": {"type": "string", "minLength": 1},
                    "custom": {"type": "boolean"},
                    "parent": {"type": "string"},
                    "inputs": {"type": "object"},
                    "options": {
                        "type": "object",
                        "required": ["protect", "retainOnDelete"],
                        "properties": {"protect": {"type": "boolean"}, "retainOnDelete": {"type": "boolean"}},
                    },
                    "dependencies": {"type": "array", "items": {"type": "string"}},
                    "propertyDependencies": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    },
                    "source": {
                        "type": ["object", "null"],
                        "properties": {"file": {"type": "string"}, "line": {"type": "integer"}},
                    },
                },
            },
        },
    },
}


@dataclass(frozen=True)
class Graph:
    data: dict[str, Any]

    @property
    def resources(self) -> list[dict[str, Any]]:
        return self.data["resources"]

    @property
    def stack(self) -> str:
        return self.data["stack"]

    @property
    def project(self) -> str:
        return self.data["project"]

    @property
    def config(self) -> dict[str, str]:
        return self.data["config"]

    def custom_resources(self) -> list[dict[str, Any]]:
        return [r for r in self.resources if r["custom"]]

    def by_urn(self) -> dict[str, dict[str, Any]]:
        return {r["urn"]: r for r in self.resources}

    def of_type(self, type_token: str) -> list[dict[str, Any]]:
        return [r for r in self.resources if r["type"] == type_token]

    def config_value(self, key: str, default: str | None = None) -> str | None:
        full = key if ":" in key else f"{self.project}:{key}"
        return self.config.get(full, default)

    def write(self, path: Path) -> None:
        write_json_atomic(path, self.data)


def validate_graph(data: Any, source: str = "graph") -> Graph:
    """Fail closed on anything that is not a well-formed graph with unique URNs."""
    try:
        jsonschema.validate(data, GRAPH_SCHEMA)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "top level"
        raise EvaluationError(f"{source}: malformed resource graph at {where}: {exc.message}") from exc
    urns = [r["urn"] for r in data["resources"]]
    if len(set(urns)) != len(urns):
        dupes = sorted({u for u in urns if urns.count(u) > 1})
        raise EvaluationError(f"{source}: malformed resource graph: duplicate URN {dupes[0]}")
    known = set(urns)
    for resource in data["resources"]:
        for dep in [*resource["dependencies"], *(u for deps in resource["propertyDependencies"].values() for u in deps)]:
            if dep not in known:
                raise EvaluationError(
                    f"{source}: malformed resource graph: {resource['urn']} depends on unknown {dep}"
                )
    return Graph(data)


def load_graph(path: Path) -> Graph:
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError as exc:
        raise EvaluationError(f"{path}: no such graph; run `python -m compliance render` first") from exc
    except json.JSONDecodeError as exc:
        raise EvaluationError(f"{path}: graph is not valid JSON ({exc})") from exc
    return validate_graph(data, str(path))
