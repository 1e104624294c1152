"""The pack's own reader of ``controls.yaml`` (the control catalog, in this folder).

The pack must run alone (``pulumi policy publish policies/``), so it cannot use
the harness's ``compliance.catalog``; this reader takes only what policies need
and refuses a catalog entry it cannot use, so that a broken catalog stops the
pack at start-up instead of producing policies with wrong levels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CATALOG_FILE = Path(__file__).resolve().parent.parent / "controls.yaml"
_CONTROL_ID = re.compile(r"^[A-Z]{3}-[0-9]{2}$")
_ENFORCEMENTS = ("mandatory", "advisory")
_SEVERITIES = ("critical", "high", "medium", "low")

# Catalog framework keys -> (name, version) for PolicyComplianceFramework.
FRAMEWORK_NAMES = {
    "nist_800_53": ("NIST SP 800-53", "Rev. 5"),
    "iec_62443_3_3": ("IEC 62443-3-3", "2013"),
    "cis_aws": ("CIS AWS Foundations Benchmark", ""),
    "iso_27001_2022": ("ISO/IEC 27001 Annex A", "2022"),
}


class CatalogError(Exception):
    """controls.yaml cannot drive the pack; the message names the entry and the fix."""


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    severity: str
    enforcement: str
    remediation: str
    layers: tuple[str, ...]
    parameters: dict[str, Any] = field(default_factory=dict)
    frameworks: dict[str, tuple[str, ...]] = field(default_factory=dict)


def load_controls(path: Path = CATALOG_FILE) -> dict[str, Control]:
    try:
        data = yaml.safe_load(Path(path).read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogError(f"{path}: cannot read the control catalog ({exc})") from exc
    entries = data.get("controls") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise CatalogError(f"{path}: expected a top-level 'controls' list")
    controls: dict[str, Control] = {}
    for entry in entries:
        control = _control(entry, path)
        if control.id in controls:
            raise CatalogError(f"{path}: control {control.id} is defined twice")
        controls[control.id] = control
    return controls


def _control(entry: Any, path: Path) -> Control:
    if not isinstance(entry, dict) or not _CONTROL_ID.match(str(entry.get("id", ""))):
        raise CatalogError(f"{path}: every control needs an id like ENC-01, got {entry!r:.80}")
    cid = entry["id"]
    if entry.get("enforcement") not in _ENFORCEMENTS:
        raise CatalogError(f"{path}: {cid}: enforcement must be one of {_ENFORCEMENTS}")
    if entry.get("severity") not in _SEVERITIES:
        raise CatalogError(f"{path}: {cid}: severity must be one of {_SEVERITIES}")
    return Control(
        id=cid,
        title=str(entry.get("title", "")),
        severity=entry["severity"],
        enforcement=entry["enforcement"],
        remediation=str(entry.get("remediation", "")),
        layers=tuple(entry.get("layers") or ()),
        parameters=dict(entry.get("parameters") or {}),
        frameworks={k: tuple(v) for k, v in (entry.get("frameworks") or {}).items()},
    )
