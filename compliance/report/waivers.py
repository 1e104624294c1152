"""waivers.yaml: accepted exceptions that turn matching failures into ``waived``.

::

    waivers:
      - control: RET-01                 # a catalog control ID, or UNMAPPED
        resource: "*aurora-legacy-*"    # glob over the resource's id (URN/ARN) or name
        check: "CKV_AWS_*"              # optional glob over the finding's check
        reason: Legacy cluster migrates in Q3; snapshots are copied nightly.
        owner: jane.doe@example.com
        expires: 2025-09-30             # YYYY-MM-DD; the waiver stops waiving after this day

Only ``fail`` findings are waived, never ``error`` (an evaluation that did not
happen cannot be accepted). A waiver past its expiry date waives nothing and is
itself reported, with the failures it would have covered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from compliance.catalog import Catalog
from compliance.errors import UsageError

WAIVERS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["waivers"],
    "additionalProperties": False,
    "properties": {
        "waivers": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["control", "resource", "reason", "owner", "expires"],
                "additionalProperties": False,
                "properties": {
                    "control": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2}$|^UNMAPPED$"},
                    "resource": {"type": "string", "minLength": 1},
                    "check": {"type": "string", "minLength": 1},
                    "reason": {"type": "string", "minLength": 10},
                    "owner": {"type": "string", "minLength": 1},
                    "expires": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                },
            },
        },
    },
}


@dataclass(frozen=True)
class Waiver:
    control: str
    resource: str
    reason: str
    owner: str
    expires: dt.date
    check: str = "*"

    def matches(self, finding: dict[str, Any]) -> bool:
        """Same control, the resource id or name matches the glob, and the check matches."""
        resource = finding["resource"]
        return (
            finding["control"] == self.control
            and any(fnmatchcase(value, self.resource) for value in (resource["id"], resource.get("name", "")) if value)
            and fnmatchcase(finding["check"], self.check)
        )

    def is_active(self, today: dt.date) -> bool:
        """A waiver waives up to and including its expiry day."""
        return today <= self.expires

    def to_dict(self) -> dict[str, str]:
        return {"control": self.control, "resource": self.resource, "check": self.check, "reason": self.reason,
                "owner": self.owner, "expires": self.expires.isoformat()}


def _as_text(value: Any) -> Any:
    """YAML reads an unquoted 2025-09-30 as a date; the schema wants the text."""
    return value.isoformat() if isinstance(value, dt.date) else value


def load_waivers(path: Path, catalog: Catalog) -> list[Waiver]:
    """Read and validate waivers.yaml; any defect is a usage error naming the entry and the fix."""
    try:
        data = yaml.safe_load(Path(path).read_text())
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: waivers file not found; pass an existing --waivers file or leave it out") from exc
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: waivers file is not valid YAML ({exc})") from exc
    except ValueError as exc:  # YAML reads 2025-02-30 as a date and fails on it
        raise UsageError(f"{path}: waivers file holds an expiry that is not a real date ({exc}); "
                         "use YYYY-MM-DD") from exc
    if isinstance(data, dict) and isinstance(data.get("waivers"), list):
        data = {**data, "waivers": [{k: _as_text(v) for k, v in entry.items()} if isinstance(entry, dict) else entry
                                    for entry in data["waivers"]]}
    try:
        jsonschema.validate(data, WAIVERS_SCHEMA)
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "top level"
        raise UsageError(f"{path}: invalid waiver at {where}: {exc.message}") from exc
    waivers = []
    for index, entry in enumerate(data["waivers"]):
        if entry["control"] != "UNMAPPED" and entry["control"] not in catalog:
            raise UsageError(f"{path}: waiver {index} names control {entry['control']}, which is not in "
                             "policies/controls.yaml; fix the ID")
        try:
            expires = dt.date.fromisoformat(entry["expires"])
        except ValueError as exc:
            raise UsageError(f"{path}: waiver {index} has expires {entry['expires']!r}, not a real date "
                             "(YYYY-MM-DD)") from exc
        waivers.append(Waiver(control=entry["control"], resource=entry["resource"], reason=entry["reason"].strip(),
                              owner=entry["owner"], expires=expires, check=entry.get("check", "*")))
    return waivers


def apply_waivers(findings: list[dict[str, Any]], waivers: list[Waiver], today: dt.date) -> dict[str, Any]:
    """Mark failures covered by an active waiver as ``waived`` (in place); report expired and unused waivers.

    Each finding dict gains ``originalStatus``, ``waiver`` (the active waiver
    applied, or None) and ``expiredWaiver`` (an expired waiver that matched a
    failure it no longer covers, or None). Returns the waivers section of the
    report: every waiver with its state and the findings it matched.
    """
    matched: dict[int, list[str]] = {i: [] for i in range(len(waivers))}
    for finding in findings:
        finding["originalStatus"] = finding["status"]
        finding.setdefault("waiver", None)
        finding.setdefault("expiredWaiver", None)
        if finding["status"] != "fail":
            continue
        for index, waiver in enumerate(waivers):
            if not waiver.matches(finding):
                continue
            matched[index].append(finding["id"])
            if waiver.is_active(today) and finding["waiver"] is None:
                finding["status"] = "waived"
                finding["waiver"] = waiver.to_dict()
            elif not waiver.is_active(today) and finding["expiredWaiver"] is None:
                finding["expiredWaiver"] = waiver.to_dict()
    entries = []
    for index, waiver in enumerate(waivers):
        state = "active" if waiver.is_active(today) else "expired"
        if state == "active" and not matched[index]:
            state = "unused"
        entries.append({**waiver.to_dict(), "state": state, "findings": sorted(matched[index])})
    return {"asOf": today.isoformat(), "entries": entries}
