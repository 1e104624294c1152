"""The control catalog (``policies/controls.yaml``): loading and validation.

Every layer names its checks by the IDs defined here; ``load_catalog`` fails
closed on a malformed file so that no layer runs against a broken catalog.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from compliance import REPO_ROOT
from compliance.errors import UsageError

CATALOG_PATH = REPO_ROOT / "policies" / "controls.yaml"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x faster
FRAMEWORKS = {
    "nist_800_53": "NIST SP 800-53 Rev. 5",
    "iec_62443_3_3": "IEC 62443-3-3",
    "cis_aws": "CIS AWS Foundations Benchmark",
    "iso_27001_2022": "ISO/IEC 27001:2022 Annex A",
}

CATALOG_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["version", "controls"],
    "additionalProperties": False,
    "properties": {
        "version": {"type": "string", "pattern": r"^\d+\.\d+\.\d+$"},
        "controls": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "title", "severity", "enforcement", "rationale", "remediation",
                             "layers", "checkov", "parameters", "frameworks"],
                "properties": {
                    "id": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2}$"},
                    "title": {"type": "string", "minLength": 5},
                    "severity": {"enum": ["critical", "high", "medium", "low"]},
                    "enforcement": {"enum": ["mandatory", "advisory"]},
                    "rationale": {"type": "string", "minLength": 10},
                    "remediation": {"type": "string", "minLength": 10},
                    "layers": {
                        "type": "array",
                        "minItems": 1,
                        "uniqueItems": True,
                        "items": {"enum": ["preview", "static", "live"]},
                    },
                    "checkov": {
                        "type": "array",
                        "uniqueItems": True,
                        "items": {"type": "string", "pattern": "^CKV2?_[A-Z0-9]+_[0-9]+$"},
                    },
                    "parameters": {"type": "object"},
                    "frameworks": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            name: {"type": "array", "minItems": 1, "items": {"type": "string"}}
                            for name in FRAMEWORKS
                        },
                    },
                },
            },
        },
    },
}


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    severity: str
    enforcement: str
    rationale: str
    remediation: str
    layers: tuple[str, ...]
    checkov: tuple[str, ...]
    parameters: dict[str, Any] = field(default_factory=dict)
    frameworks: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalog:
    version: str
    controls: dict[str, Control]

    def __getitem__(self, control_id: str) -> Control:
        try:
            return self.controls[control_id]
        except KeyError:
            raise UsageError(f"unknown control ID {control_id!r}; it is not in policies/controls.yaml") from None

    def __contains__(self, control_id: object) -> bool:
        return control_id in self.controls

    def with_layer(self, layer: str) -> list[Control]:
        return [c for c in self.controls.values() if layer in c.layers]

    def by_checkov_id(self) -> dict[str, str]:
        """checkov check ID -> control ID (a check maps to at most one control)."""
        return {check: c.id for c in self.controls.values() for check in c.checkov}


def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    try:
        data = yaml.load(Path(path).read_text(), Loader=_YAML_LOADER)
        jsonschema.validate(data, CATALOG_SCHEMA)
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: control catalog not found") from exc
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: control catalog is not valid YAML ({exc})") from exc
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise UsageError(f"{path}: invalid control catalog at {where or 'top level'}: {exc.message}") from exc
    controls: dict[str, Control] = {}
    for entry in data["controls"]:
        if entry["id"] in controls:
            raise UsageError(f"{path}: control {entry['id']} is defined twice")
        controls[entry["id"]] = Control(
            id=entry["id"],
            title=entry["title"],
            severity=entry["severity"],
            enforcement=entry["enforcement"],
            rationale=entry["rationale"],
            remediation=entry["remediation"],
            layers=tuple(entry["layers"]),
            checkov=tuple(entry["checkov"]),
            parameters=dict(entry["parameters"]),
            frameworks={k: tuple(v) for k, v in entry["frameworks"].items()},
        )
    owners: dict[str, str] = {}
    for control in controls.values():
        for check in control.checkov:
            if check in owners:
                raise UsageError(f"{path}: checkov check {check} is claimed by both {owners[check]} and {control.id}")
            owners[check] = control.id
    return Catalog(version=data["version"], controls=controls)
