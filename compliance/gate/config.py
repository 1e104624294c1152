"""``--policy-pack-config``: the CLI's policy pack config file, reconciled as the CLI does.

The file is a JSON object keyed by policy name (or ``all``)::

    {"all": "advisory",
     "ret-01-aurora-backup-retention": {"enforcementLevel": "mandatory", "minDays": 35},
     "gov-03-required-tags": "disabled"}

For each policy the engine starts from the level the pack declares and the
defaults of its config schema, applies the pack's initial config, then ``all``,
then the policy's own entry, validates the properties against the schema, and
sends the result to the pack with ``Configure``. Every policy gets an entry, so
the pack never falls back to a level it was not told.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from google.protobuf import json_format
from pulumi.runtime.proto import analyzer_pb2

from compliance.errors import UsageError

LEVELS = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "disabled": analyzer_pb2.DISABLED,
    "remediate": analyzer_pb2.REMEDIATE,
}
LEVEL_NAMES = {value: name for name, value in LEVELS.items()}
ALL = "all"


@dataclass
class PolicySettings:
    level: str
    properties: dict[str, Any] = field(default_factory=dict)


def load_config_file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = json.loads(Path(path).read_text())
    except FileNotFoundError as exc:
        raise UsageError(f"--policy-pack-config {path}: no such file") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(f"--policy-pack-config {path}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise UsageError(f"--policy-pack-config {path}: expected a JSON object keyed by policy name")
    return data


def _apply(settings: PolicySettings, entry: Any, where: str) -> None:
    if isinstance(entry, str):
        settings.level = _level(entry, where)
        return
    if not isinstance(entry, dict):
        raise UsageError(f"{where}: expected an enforcement level or an object, got {entry!r:.60}")
    for key, value in entry.items():
        if key == "enforcementLevel":
            settings.level = _level(value, where)
        else:
            settings.properties[key] = value


def _level(value: Any, where: str) -> str:
    if value not in LEVELS:
        raise UsageError(f"{where}: enforcement level {value!r} is not one of {', '.join(LEVELS)}")
    return value


def reconcile(info: analyzer_pb2.AnalyzerInfo, user: dict[str, Any],
              source: str = "--policy-pack-config") -> dict[str, PolicySettings]:
    names = [p.name for p in info.policies]
    unknown = sorted(set(user) - set(names) - {ALL})
    if unknown:
        raise UsageError(f"{source}: the pack has no policy named {unknown[0]!r} (names are like {names[0]!r})")
    result: dict[str, PolicySettings] = {}
    for policy in info.policies:
        schema = json_format.MessageToDict(policy.configSchema.properties)
        settings = PolicySettings(
            level=LEVEL_NAMES[policy.enforcementLevel],
            properties={k: v["default"] for k, v in schema.items() if isinstance(v, dict) and "default" in v},
        )
        if policy.name in info.initialConfig:
            initial = info.initialConfig[policy.name]
            settings.level = LEVEL_NAMES[initial.enforcementLevel]
            settings.properties.update(json_format.MessageToDict(initial.properties))
        if ALL in user:
            _apply(settings, user[ALL], f"{source}: {ALL}")
        if policy.name in user:
            _apply(settings, user[policy.name], f"{source}: {policy.name}")
        validator = jsonschema.Draft202012Validator(
            {"type": "object", "properties": schema, "required": list(policy.configSchema.required)})
        error = next(iter(validator.iter_errors(settings.properties)), None)
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "config"
            raise UsageError(f"{source}: {policy.name}: {where}: {error.message}")
        result[policy.name] = settings
    return result


def configure_request(settings: dict[str, PolicySettings]) -> analyzer_pb2.ConfigureAnalyzerRequest:
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, policy in settings.items():
        entry = request.policyConfig[name]
        entry.enforcementLevel = LEVELS[policy.level]
        entry.properties.update(policy.properties)
    return request
