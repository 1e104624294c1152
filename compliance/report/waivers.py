"""waivers.yaml: the only way to accept a failure or an exception (``compliance.exceptions``).

::

    version: 2
    waivers:
      - control: RET-01                 # a catalog control ID, or UNMAPPED
        resource: "*aurora-legacy-*"    # glob over the resource's id (URN/ARN) or name; never just wildcards
        check: "CKV_AWS_*"              # optional glob over the finding's check
        reason: Legacy cluster migrates in Q3; snapshots are copied nightly.
        owner: jane.doe@example.com
        expires: 2025-09-30             # YYYY-MM-DD, at most --max-waiver-days (365) from today
      - control: GOV-03
        resource: "*"                   # every resource: only with allowAllResources (version 2)
        allowAllResources: true
        ...

A waiver turns a matching ``fail`` into ``waived``, and a matching ``error`` that an
exception silenced (a policy the pack config disabled or weakened, a check
``--checkov-args`` deselected) into ``waived``; never any other ``error`` (an
evaluation that did not happen for another reason cannot be accepted). A waiver past
its expiry date waives nothing and is itself reported, with the findings it would
have covered.

Every waiver, of either version, needs a reason and an owner that are not blank, a
resource pattern that names something (not only ``*``, ``?`` and ``[...]``) unless
it says ``allowAllResources: true`` (version 2), and an expiry no later than the
maximum duration from today. A file without ``version`` is read as version 1 (no
``allowAllResources``) with a one-line warning naming what to add.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from compliance.catalog import Catalog
from compliance.errors import UsageError
from compliance.exceptions import silenced_by

CURRENT_VERSION = 2
DEFAULT_MAX_DAYS = 365
MIN_REASON = 10

_ENTRY = {
    "type": "object",
    "required": ["control", "resource", "reason", "owner", "expires"],
    "additionalProperties": False,
    "properties": {
        "control": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2}$|^UNMAPPED$"},
        "resource": {"type": "string", "minLength": 1},
        "check": {"type": "string", "minLength": 1},
        "reason": {"type": "string", "minLength": MIN_REASON},
        "owner": {"type": "string", "minLength": 1},
        "expires": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
    },
}


def _schema(version: int) -> dict[str, Any]:
    entry = _ENTRY if version == 1 else {
        **_ENTRY, "properties": {**_ENTRY["properties"], "allowAllResources": {"type": "boolean"}}}
    top: dict[str, Any] = {"waivers": {"type": "array", "items": entry}}
    if version > 1:
        top["version"] = {"const": version}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object", "required": ["waivers"],
            "additionalProperties": False, "properties": top}


WAIVERS_SCHEMA = _schema(CURRENT_VERSION)
_WILDCARDS_ONLY = re.compile(r"^(?:\*|\?|\[[^\]]*\])*$")


@dataclass(frozen=True)
class Waiver:
    control: str
    resource: str
    reason: str
    owner: str
    expires: dt.date
    check: str = "*"
    allow_all_resources: bool = False

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

    def to_dict(self) -> dict[str, Any]:
        return {"control": self.control, "resource": self.resource, "check": self.check, "reason": self.reason,
                "owner": self.owner, "expires": self.expires.isoformat(),
                "allowAllResources": self.allow_all_resources}


@dataclass(frozen=True)
class WaiverFile:
    version: int
    waivers: list[Waiver]
    warnings: list[str] = field(default_factory=list)


def _as_text(value: Any) -> Any:
    """YAML reads an unquoted 2025-09-30 as a date; the schema wants the text."""
    return value.isoformat() if isinstance(value, dt.date) else value


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(Path(path).read_text())
    except FileNotFoundError as exc:
        raise UsageError(f"{path}: waivers file not found; pass an existing --waivers file or leave it out") from exc
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: waivers file is not valid YAML ({' '.join(str(exc).split())})") from exc
    except ValueError as exc:  # YAML reads 2025-02-30 as a date and fails on it
        raise UsageError(f"{path}: waivers file holds an expiry that is not a real date ({exc}); "
                         "use YYYY-MM-DD") from exc


def _version(data: Any, path: Path) -> int:
    if not isinstance(data, dict) or "version" not in data:
        return 1
    version = data["version"]
    if isinstance(version, bool) or version not in (1, CURRENT_VERSION):
        raise UsageError(f"{path}: version {version!r} is not a waivers file version this harness reads; "
                         f"write version: {CURRENT_VERSION}")
    return version


def load_waivers(path: Path, catalog: Catalog, *, today: dt.date | None = None,
                 max_days: int = DEFAULT_MAX_DAYS) -> WaiverFile:
    """Read and validate waivers.yaml; any defect is a usage error naming the entry and the fix."""
    today = today or dt.datetime.now(dt.UTC).date()
    raw = data = _read(path)
    version = _version(data, path)
    if isinstance(data, dict) and isinstance(data.get("waivers"), list):
        data = {**data, "waivers": [{k: _as_text(v) for k, v in entry.items()} if isinstance(entry, dict) else entry
                                    for entry in data["waivers"]]}
    if version == 1 and isinstance(data, dict):
        data = {k: v for k, v in data.items() if k != "version"}
    try:
        jsonschema.validate(data, _schema(version))
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "top level"
        hint = (f"; allowAllResources needs version: {CURRENT_VERSION} at the top of the file"
                if version == 1 and "allowAllResources" in exc.message else "")
        raise UsageError(f"{path}: invalid waiver at {where}: {exc.message}{hint}") from exc
    waivers = [_waiver(entry, index, path, catalog, today, max_days) for index, entry in enumerate(data["waivers"])]
    said = "version: 1" if isinstance(raw, dict) and "version" in raw else "no `version` key"
    warnings = [] if version == CURRENT_VERSION else [
        f"{path}: {said}, read as version 1; write `version: {CURRENT_VERSION}` as its first line "
        "(version 2 also allows `allowAllResources: true`)"]
    return WaiverFile(version, waivers, warnings)


def _waiver(entry: dict[str, Any], index: int, path: Path, catalog: Catalog, today: dt.date,
            max_days: int) -> Waiver:
    where = f"{path}: waiver {index} ({entry['control']})"
    if entry["control"] != "UNMAPPED" and entry["control"] not in catalog:
        raise UsageError(f"{path}: waiver {index} names control {entry['control']}, which is not in "
                         "policies/controls.yaml; fix the ID")
    reason, owner = " ".join(entry["reason"].split()), entry["owner"].strip()
    if len(reason) < MIN_REASON:
        raise UsageError(f"{where}: reason is blank or too short; say why the exception is accepted "
                         f"(at least {MIN_REASON} characters)")
    if not owner:
        raise UsageError(f"{where}: owner is blank; name the person or team accountable for it")
    allow_all = bool(entry.get("allowAllResources", False))
    if _WILDCARDS_ONLY.match(entry["resource"]) and not allow_all:
        raise UsageError(f"{where}: resource {entry['resource']!r} waives every resource; name the resources "
                         "(e.g. '*::raw' or 'arn:aws:s3:::raw-*'), or accept all of them explicitly with "
                         f"`allowAllResources: true` (version: {CURRENT_VERSION})")
    try:
        expires = dt.date.fromisoformat(entry["expires"])
    except ValueError as exc:
        raise UsageError(f"{path}: waiver {index} has expires {entry['expires']!r}, not a real date "
                         "(YYYY-MM-DD)") from exc
    latest = today + dt.timedelta(days=max_days)
    if expires > latest:
        raise UsageError(f"{where}: expires {expires.isoformat()}, more than {max_days} days after "
                         f"{today.isoformat()}; set expires to {latest.isoformat()} or earlier (or raise "
                         "--max-waiver-days)")
    return Waiver(control=entry["control"], resource=entry["resource"], reason=reason, owner=owner, expires=expires,
                  check=entry.get("check", "*"), allow_all_resources=allow_all)


def waivable(finding: dict[str, Any]) -> bool:
    """A failure, or an error an exception silenced: what a waiver may accept."""
    return finding["status"] == "fail" or bool(silenced_by(finding))


def apply_waivers(findings: list[dict[str, Any]], waivers: list[Waiver], today: dt.date) -> dict[str, Any]:
    """Mark waivable findings covered by an active waiver as ``waived`` (in place); report expired and unused waivers.

    Each finding dict gains ``originalStatus``, ``waiver`` (the active waiver
    applied, or None) and ``expiredWaiver`` (an expired waiver that matched a
    finding it no longer covers, or None). Returns the waivers section of the
    report: every waiver with its state and the findings it matched.
    """
    matched: dict[int, list[str]] = {i: [] for i in range(len(waivers))}
    for finding in findings:
        finding["originalStatus"] = finding["status"]
        finding.setdefault("waiver", None)
        finding.setdefault("expiredWaiver", None)
        if not waivable(finding):
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
