"""THE reader of the control catalog (``policies/controls.yaml``) and its one ``Control`` type.

The pack, our checkov checks, the static scan, the live audit and the report all
read the catalog through this module, so a control means the same thing
everywhere. It fails closed: an entry it cannot use stops whoever loads it with a
message naming the entry and the fix, so no layer runs against a broken catalog.

Needs only PyYAML besides the standard library: the pack's runtime, checkov's
virtualenv and the harness all have it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CATALOG_FILE = Path(__file__).resolve().parent.parent / "controls.yaml"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x faster

LAYERS = ("preview", "static", "live")
ENFORCEMENTS = ("mandatory", "advisory")
SEVERITIES = ("critical", "high", "medium", "low")
# Catalog framework key -> (name, version), as CrossGuard's PolicyComplianceFramework carries it.
FRAMEWORKS = {
    "nist_800_53": ("NIST SP 800-53", "Rev. 5"),
    "iec_62443_3_3": ("IEC 62443-3-3", "2013"),
    "cis_aws": ("CIS AWS Foundations Benchmark", ""),
    "iso_27001_2022": ("ISO/IEC 27001 Annex A", "2022"),
}
# Catalog framework key -> how reports label it.
FRAMEWORK_LABELS = {
    "nist_800_53": "NIST SP 800-53 Rev. 5",
    "iec_62443_3_3": "IEC 62443-3-3",
    "cis_aws": "CIS AWS Foundations Benchmark",
    "iso_27001_2022": "ISO/IEC 27001:2022 Annex A",
}
_CONTROL_ID = re.compile(r"^[A-Z]{3}-[0-9]{2}$")
_CHECKOV_ID = re.compile(r"^CKV2?_[A-Z0-9]+_[0-9]+$")
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
OUR_CHECKOV_PREFIX = "CKV_IOT_"
_FIELDS = {"id", "title", "severity", "enforcement", "rationale", "remediation", "layers", "checkov",
           "parameters", "frameworks"}
_OPTIONAL = {"weakens", "triggers", "schedule_only"}  # weakens: with parameters; triggers: on live controls
_EVENT_SOURCE = re.compile(r"^[a-z0-9-]+\.amazonaws\.com$")
_EVENT_NAME = re.compile(r"^[A-Z][A-Za-z0-9]+$")
# How a parameter is weakened: a number below (``lower``) or above (``higher``) the catalog's value, an entry
# added to an allow-list (``added``) or removed from a required list (``removed``).
WEAKENING_DIRECTIONS = {"lower": "number", "higher": "number", "added": "list", "removed": "list"}


class CatalogError(Exception):
    """The catalog cannot be used as written; the message names the entry and the fix."""


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    severity: str
    enforcement: str
    rationale: str
    remediation: str
    layers: tuple[str, ...]
    checkov: tuple[str, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)
    frameworks: dict[str, tuple[str, ...]] = field(default_factory=dict)
    weakens: dict[str, str] = field(default_factory=dict)
    # CloudTrail eventSource -> the eventNames that can break this control (what the deployed auditor reacts to)
    triggers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    schedule_only: str = ""  # why some or all of its changes are seen only by the scheduled audit

    def triggered_by(self, event_source: str, event_name: str) -> bool:
        """Can a CloudTrail management event ``event_source``/``event_name`` break this control?"""
        return event_name in self.triggers.get(event_source, ())

    def weakening(self, parameter: str, value: Any) -> str | None:
        """How ``value`` weakens the catalog's ``parameter`` (e.g. "7 is below the catalog's 30"), or None.

        A stricter or equal setting is None. A value of another shape than the
        catalog's (which the pack's config schema refuses anyway) counts as a weakening.
        """
        direction = self.weakens[parameter]
        baseline = self.parameters[parameter]
        if WEAKENING_DIRECTIONS[direction] == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                return f"{value!r} is not a number like the catalog's {baseline}"
            if (direction == "lower" and value < baseline) or (direction == "higher" and value > baseline):
                side = "below" if direction == "lower" else "above"
                return f"{_number(value)} is {side} the catalog's {baseline}"
            return None
        if not isinstance(value, list):
            return f"{value!r} is not a list like the catalog's {baseline}"
        if direction == "added":
            extra = [v for v in value if v not in baseline]
            return f"adds {', '.join(map(str, extra))} to the catalog's allow-list" if extra else None
        gone = [v for v in baseline if v not in value]
        return f"removes {', '.join(map(str, gone))} from the catalog's required list" if gone else None

    @property
    def deciding_checks(self) -> tuple[str, ...]:
        """Our checkov checks (CKV_IOT_*): they decide the static layer with this control's module."""
        return tuple(c for c in self.checkov if c.startswith(OUR_CHECKOV_PREFIX))

    @property
    def corroborating_checks(self) -> tuple[str, ...]:
        """checkov's built-in checks: reported beside our decision as evidence, never as the decision."""
        return tuple(c for c in self.checkov if not c.startswith(OUR_CHECKOV_PREFIX))


@dataclass(frozen=True)
class Catalog:
    version: str
    controls: dict[str, Control]

    def __getitem__(self, control_id: str) -> Control:
        try:
            return self.controls[control_id]
        except KeyError:
            raise CatalogError(f"unknown control ID {control_id!r}; it is not in policies/controls.yaml") from None

    def __contains__(self, control_id: object) -> bool:
        return control_id in self.controls

    def with_layer(self, layer: str) -> list[Control]:
        return [c for c in self.controls.values() if layer in c.layers]

    def triggered_by(self, event_source: str, event_name: str) -> list[Control]:
        """The controls a CloudTrail management event can break (what the deployed auditor re-checks)."""
        return [c for c in self.controls.values() if c.triggered_by(event_source, event_name)]

    def triggers(self) -> dict[str, tuple[str, ...]]:
        """The union of every control's triggers: eventSource -> sorted eventNames."""
        union: dict[str, set[str]] = {}
        for control in self.controls.values():
            for source, names in control.triggers.items():
                union.setdefault(source, set()).update(names)
        return {source: tuple(sorted(union[source])) for source in sorted(union)}

    def event_patterns(self) -> dict[str, dict[str, Any]]:
        """The EventBridge event patterns of the auditor's rules, one per event source, generated from ``triggers``.

        One rule per source keeps each pattern exact (no source paired with another's
        event names) and well under EventBridge's default 2,048-character pattern
        quota, which the union in one pattern would exceed. Keyed by the source's
        service (``kinesis`` for kinesis.amazonaws.com), which names the rule.
        """
        return {source.split(".")[0]: {
            "detail-type": ["AWS API Call via CloudTrail"],
            "detail": {"eventSource": [source], "eventName": list(names)},
        } for source, names in self.triggers().items()}

    def by_checkov_id(self) -> dict[str, str]:
        """checkov check ID -> control ID (a check maps to at most one control)."""
        return {check: c.id for c in self.controls.values() for check in c.checkov}


def load_catalog(path: Path = CATALOG_FILE) -> Catalog:
    path = Path(path)
    try:
        data = yaml.load(path.read_text(), Loader=_LOADER)  # noqa: S506 (a safe loader)
    except FileNotFoundError:
        raise CatalogError(f"{path}: control catalog not found") from None
    except OSError as exc:
        raise CatalogError(f"{path}: the control catalog cannot be read ({exc})") from None
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: control catalog is not valid YAML ({' '.join(str(exc).split())})") from None
    if not isinstance(data, dict) or not isinstance(data.get("controls"), list) or not data["controls"]:
        raise CatalogError(f"{path}: expected a top-level 'version' and a non-empty 'controls' list")
    if not isinstance(data.get("version"), str) or not _VERSION.match(data["version"]):
        raise CatalogError(f"{path}: 'version' must be a version like 1.0.0")
    extra = sorted(set(data) - {"version", "controls"})
    if extra:
        raise CatalogError(f"{path}: unknown top-level key {extra[0]!r}")
    controls: dict[str, Control] = {}
    owners: dict[str, str] = {}
    for index, entry in enumerate(data["controls"]):
        control = _control(entry, f"{path}: controls[{index}]")
        if control.id in controls:
            raise CatalogError(f"{path}: control {control.id} is defined twice")
        for check in control.checkov:
            if check in owners:
                raise CatalogError(f"{path}: checkov check {check} is claimed by both {owners[check]} and {control.id}")
            owners[check] = control.id
        controls[control.id] = control
    return Catalog(version=data["version"], controls=controls)


def _control(entry: Any, where: str) -> Control:
    if not isinstance(entry, dict) or not _CONTROL_ID.match(str(entry.get("id", ""))):
        raise CatalogError(f"{where}: every control needs an id like ENC-01")
    where = f"{where} ({entry['id']})"
    missing = sorted(_FIELDS - set(entry))
    if missing:
        raise CatalogError(f"{where}: missing {missing[0]!r}")
    unknown = sorted(set(entry) - _FIELDS - _OPTIONAL)
    if unknown:
        raise CatalogError(f"{where}: unknown key {unknown[0]!r}")
    for key in ("title", "rationale", "remediation"):
        if not isinstance(entry[key], str) or len(entry[key].strip()) < 5:
            raise CatalogError(f"{where}: {key} must be a sentence")
    if entry["severity"] not in SEVERITIES:
        raise CatalogError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
    if entry["enforcement"] not in ENFORCEMENTS:
        raise CatalogError(f"{where}: enforcement must be one of {', '.join(ENFORCEMENTS)}")
    layers = entry["layers"]
    if not isinstance(layers, list) or not layers or len(set(layers)) != len(layers) \
            or any(layer not in LAYERS for layer in layers):
        raise CatalogError(f"{where}: layers must be distinct entries of {', '.join(LAYERS)}")
    checkov = entry["checkov"]
    if not isinstance(checkov, list) or len(set(checkov)) != len(checkov) \
            or any(not isinstance(c, str) or not _CHECKOV_ID.match(c) for c in checkov):
        raise CatalogError(f"{where}: checkov must list distinct check IDs like CKV_AWS_7")
    if not isinstance(entry["parameters"], dict):
        raise CatalogError(f"{where}: parameters must be a mapping")
    weakens = _weakens(entry, where)
    frameworks = entry["frameworks"]
    if not isinstance(frameworks, dict) or any(k not in FRAMEWORKS for k in frameworks) \
            or any(not isinstance(v, list) or not v or not all(isinstance(r, str) for r in v)
                   for v in frameworks.values()):
        raise CatalogError(f"{where}: frameworks maps {', '.join(FRAMEWORKS)} to non-empty lists of references")
    return Control(
        id=entry["id"], title=entry["title"], severity=entry["severity"], enforcement=entry["enforcement"],
        rationale=entry["rationale"], remediation=entry["remediation"], layers=tuple(layers),
        checkov=tuple(checkov), parameters=dict(entry["parameters"]),
        frameworks={k: tuple(v) for k, v in frameworks.items()}, weakens=weakens,
        triggers=_triggers(entry, where), schedule_only=entry.get("schedule_only", ""),
    )


def _triggers(entry: dict[str, Any], where: str) -> dict[str, tuple[str, ...]]:
    """``triggers``: on every live control, eventSource -> eventNames; empty only with a ``schedule_only`` reason."""
    live = "live" in entry["layers"]
    if "triggers" not in entry:
        if live:
            raise CatalogError(f"{where}: a live control lists its triggers (eventSource: [eventName, ...]) or "
                               "triggers: {} with schedule_only: <why only the schedule sees its changes>")
        if "schedule_only" in entry:
            raise CatalogError(f"{where}: schedule_only applies to live controls only; drop it")
        return {}
    if not live:
        raise CatalogError(f"{where}: triggers apply to live controls only; drop them or add the live layer")
    triggers = entry["triggers"]
    if not isinstance(triggers, dict) or any(
            not isinstance(source, str) or not _EVENT_SOURCE.match(source) or not isinstance(names, list) or not names
            or len(set(names)) != len(names) or any(not isinstance(n, str) or not _EVENT_NAME.match(n) for n in names)
            for source, names in triggers.items()):
        raise CatalogError(f"{where}: triggers maps CloudTrail event sources like kinesis.amazonaws.com to "
                           "non-empty lists of distinct event names like StopStreamEncryption")
    reason = entry.get("schedule_only", "")
    if not isinstance(reason, str) or ("schedule_only" in entry and len(reason.strip()) < 5):
        raise CatalogError(f"{where}: schedule_only must be a sentence saying why only the schedule sees the changes")
    if not triggers and not reason:
        raise CatalogError(f"{where}: triggers is empty; add schedule_only: <why only the schedule sees its changes>")
    return {source: tuple(names) for source, names in triggers.items()}


def _weakens(entry: dict[str, Any], where: str) -> dict[str, str]:
    """``weakens``: for every parameter, the direction that weakens it (so a pack config that does is an exception)."""
    parameters = entry["parameters"]
    weakens = entry.get("weakens", {})
    choices = "|".join(WEAKENING_DIRECTIONS)
    fix = ("add weakens: {" + ", ".join(f"{p}: <{choices}>" for p in parameters) + "}") if parameters else "drop it"
    if not isinstance(weakens, dict) or set(weakens) != set(parameters):
        raise CatalogError(f"{where}: weakens must name exactly the parameters ({', '.join(parameters) or 'none'}) "
                           f"with the direction that weakens each; {fix}")
    for name, direction in weakens.items():
        kind = WEAKENING_DIRECTIONS.get(direction)
        if kind is None:
            raise CatalogError(f"{where}: weakens.{name} is {direction!r}; use one of {', '.join(WEAKENING_DIRECTIONS)}")
        value = parameters[name]
        fits = isinstance(value, list) if kind == "list" else isinstance(value, int | float) and not isinstance(
            value, bool)
        if not fits:
            raise CatalogError(f"{where}: weakens.{name} is {direction!r}, which applies to "
                               f"{'lists' if kind == 'list' else 'numbers'}, but {name} is {value!r}")
    return dict(weakens)


def _number(value: int | float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
