"""Findings: one record per (control, layer, resource), the currency of every stage.

A findings file (``gate.json``, ``static.json``, ``audit.json``) is::

    {
      "schemaVersion": 2,
      "layer": "preview" | "static" | "live",
      "tool": {"name": ..., "version": ...},
      "scope": {...},            # stack, suffix, regions, account, endpoint, graph, ...
      "startedAt": ISO-8601, "finishedAt": ISO-8601,   # timestamps only in the header
      "complete": true,          # false when interrupted (Ctrl-C) or aborted
      "findings": [Finding, ...] # sorted, ids stable
    }

Version 2 (from 1) adds ``resource.account`` and ``resource.account_name`` (an
organization audit: which account a finding is about); both are left out when
empty, and version 1 files are still read.

Same inputs give the same findings list: findings are sorted and their ids are a
hash of what identifies them, never of time or order.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema

from compliance.errors import EXIT_ERROR, EXIT_OK, EXIT_VIOLATION, EvaluationError

SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)
LAYERS = ("preview", "static", "live")
STATUSES = ("pass", "fail", "error", "waived", "not_applicable")
ENFORCEMENTS = ("mandatory", "advisory")
SEVERITIES = ("critical", "high", "medium", "low")


@dataclass(frozen=True)
class ResourceRef:
    """What a finding is about. ``id`` is the URN (preview/static) or ARN/ID (live).

    ``account``/``account_name``: the AWS account audited (organization audits; empty otherwise).
    """

    id: str
    type: str
    name: str = ""
    region: str = ""
    account: str = ""
    account_name: str = ""

    def to_dict(self) -> dict[str, str]:
        data = asdict(self)
        return {k: v for k, v in data.items() if v or k not in ("account", "account_name")}

    @classmethod
    def stack(cls, name: str) -> ResourceRef:
        """A finding about the whole stack (stack policies such as KMS-02, NET-03)."""
        return cls(id=f"stack:{name}", type="stack", name=name)


@dataclass(frozen=True)
class Finding:
    control: str
    layer: str
    status: str
    resource: ResourceRef
    message: str
    check: str = ""  # the policy name, checkov check id or audit check that decided it
    enforcement: str = "mandatory"
    severity: str = "medium"
    evidence: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.layer not in LAYERS:
            raise ValueError(f"unknown layer {self.layer!r}; expected one of {LAYERS}")
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}; expected one of {STATUSES}")
        if self.enforcement not in ENFORCEMENTS:
            raise ValueError(f"unknown enforcement {self.enforcement!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}")

    @property
    def id(self) -> str:
        parts = (self.control, self.layer, self.resource.id, self.check)
        # an account is part of the identity only when set: single-account ids stay as they were
        key = "\x1f".join((*parts, self.resource.account) if self.resource.account else parts)
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def sort_key(self) -> tuple[str, ...]:
        return (self.control, self.layer, self.resource.account, self.resource.id, self.check, self.status)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {"id": self.id, **data, "resource": self.resource.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        fields = {k: v for k, v in data.items() if k != "id"}
        fields["resource"] = ResourceRef(**fields["resource"])
        return cls(**fields)


FINDINGS_FILE_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["schemaVersion", "layer", "tool", "scope", "startedAt", "finishedAt", "complete", "findings"],
    "properties": {
        "schemaVersion": {"enum": list(READABLE_VERSIONS)},
        "layer": {"enum": list(LAYERS)},
        "tool": {
            "type": "object",
            "required": ["name", "version"],
            "properties": {"name": {"type": "string"}, "version": {"type": "string"}},
        },
        "scope": {"type": "object"},
        "startedAt": {"type": "string"},
        "finishedAt": {"type": "string"},
        "complete": {"type": "boolean"},
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "control", "layer", "status", "resource", "message", "check",
                             "enforcement", "severity", "evidence"],
                "properties": {
                    "id": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
                    "control": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2}$|^UNMAPPED$"},
                    "layer": {"enum": list(LAYERS)},
                    "status": {"enum": list(STATUSES)},
                    "resource": {
                        "type": "object",
                        "required": ["id", "type"],
                        "properties": {
                            "id": {"type": "string"},
                            "type": {"type": "string"},
                            "name": {"type": "string"},
                            "region": {"type": "string"},
                            "account": {"type": "string", "pattern": "^[0-9]{12}$"},
                            "account_name": {"type": "string"},
                        },
                        "additionalProperties": False,
                    },
                    "message": {"type": "string"},
                    "check": {"type": "string"},
                    "enforcement": {"enum": list(ENFORCEMENTS)},
                    "severity": {"enum": list(SEVERITIES)},
                    "evidence": {"type": "object"},
                },
                "additionalProperties": False,
            },
        },
    },
}


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class FindingsFile:
    layer: str
    tool_name: str
    tool_version: str
    scope: dict[str, Any]
    started_at: str
    finished_at: str
    complete: bool
    findings: list[Finding]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schemaVersion": SCHEMA_VERSION,
            "layer": self.layer,
            "tool": {"name": self.tool_name, "version": self.tool_version},
            "scope": self.scope,
            "startedAt": self.started_at,
            "finishedAt": self.finished_at,
            "complete": self.complete,
            "findings": [f.to_dict() for f in sorted(self.findings, key=Finding.sort_key)],
        }

    def write(self, path: Path) -> None:
        write_json_atomic(path, self.to_dict())

    @classmethod
    def read(cls, path: Path) -> FindingsFile:
        try:
            data = json.loads(Path(path).read_text())
            jsonschema.validate(data, FINDINGS_FILE_SCHEMA)
        except FileNotFoundError as exc:
            raise EvaluationError(f"{path}: no such findings file; run the stage that writes it first") from exc
        except (json.JSONDecodeError, jsonschema.ValidationError) as exc:
            detail = exc.message if isinstance(exc, jsonschema.ValidationError) else str(exc)
            raise EvaluationError(f"{path}: not a valid findings file ({detail})") from exc
        return cls(
            layer=data["layer"],
            tool_name=data["tool"]["name"],
            tool_version=data["tool"]["version"],
            scope=data["scope"],
            started_at=data["startedAt"],
            finished_at=data["finishedAt"],
            complete=data["complete"],
            findings=[Finding.from_dict(f) for f in data["findings"]],
        )

    def exit_code(self) -> int:
        return exit_code_for(self.findings, complete=self.complete)


def exit_code_for(findings: list[Finding], complete: bool = True) -> int:
    """3 if anything errored (or the run is incomplete), else 1 on a mandatory failure, else 0.

    An advisory failure is reported but does not fail the run, as CrossGuard's
    advisory enforcement level does not fail ``pulumi preview``.
    """
    if not complete or any(f.status == "error" for f in findings):
        return EXIT_ERROR
    if any(f.status == "fail" and f.enforcement == "mandatory" for f in findings):
        return EXIT_VIOLATION
    return EXIT_OK


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON so that a reader never sees a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, indent=2, sort_keys=True)
            handle.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
