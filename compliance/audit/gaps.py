"""Known gaps of an emulated account: what the sandbox could not reproduce faithfully.

The sandbox writes them beside its outputs (``.sandbox/<suffix>/gaps.json``);
``compliance audit --known-gaps FILE`` reads them. A gap never turns into a
pass: the checks it affects report ``not_applicable`` with the gap's reason.
The file is a JSON list of entries (or ``{"gaps": [...]}``), each with a
``reason`` and at least one of:

- ``api``: ``"iot:ListTagsForResource"``: a call the emulator does not implement
  (or answers wrongly), optionally for one ``resource`` (its ARN or name). A
  check whose call to it fails with an unexpected answer reports
  not_applicable (an access denial, throttling or an unreachable endpoint stay
  errors: no gap explains them); a resource whose tags cannot be read that way
  is scoped by name alone.
- ``control`` (optionally with ``check`` and ``resourceType``): every finding of
  that control (or of that check, or on resources of that Pulumi type)
  reports not_applicable, keeping what was observed in its message and evidence.

Entries with neither are about the deployment itself, not the audit, and are ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compliance.audit.aws import ApiError
from compliance.errors import UsageError


@dataclass(frozen=True)
class Gap:
    reason: str
    api: str = ""
    resource: str = ""
    control: str = ""
    check: str = ""
    resource_type: str = ""

    def covers_finding(self, control: str, check: str, resource_type: str) -> bool:
        return bool(self.control) and self.control == control \
            and self.check in ("", check) and self.resource_type in ("", resource_type)


@dataclass(frozen=True)
class KnownGaps:
    gaps: tuple[Gap, ...] = ()

    def for_api(self, api: str, *resource: str) -> Gap | None:
        """The gap covering a failed call of ``api`` on a resource known by any of ``resource`` (ARN, name)."""
        return next((g for g in self.gaps if g.api == api and (not g.resource or g.resource in resource)), None)

    def for_error(self, error: ApiError, *resource: str) -> Gap | None:
        """The gap explaining ``error``: only an unexpected answer can be an emulator's gap."""
        return self.for_api(error.api, *resource) if error.kind == "unexpected" else None

    def for_finding(self, control: str, check: str, resource_type: str) -> Gap | None:
        return next((g for g in self.gaps if g.covers_finding(control, check, resource_type)), None)

    def describe(self) -> list[dict[str, str]]:
        return [{k: v for k, v in vars(g).items() if v} for g in self.gaps]


def load_gaps(paths: list[Path]) -> KnownGaps:
    gaps: list[Gap] = []
    for path in paths:
        gaps.extend(_read(Path(path)))
    return KnownGaps(tuple(gaps))


def _read(path: Path) -> list[Gap]:
    try:
        data: Any = json.loads(path.read_text())
    except FileNotFoundError:
        raise UsageError(f"--known-gaps {path}: no such file (the sandbox writes it beside outputs.json)") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"--known-gaps {path}: not JSON ({exc.msg})") from None
    entries = data.get("gaps") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise UsageError(f"--known-gaps {path}: expected a list of gaps or {{\"gaps\": [...]}}")
    gaps = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("reason"), str) or not entry["reason"]:
            raise UsageError(f"--known-gaps {path}: entry {index} has no reason; every gap must say why")
        if not (entry.get("api") or entry.get("control")):
            continue
        gaps.append(Gap(
            reason=entry["reason"], api=str(entry.get("api") or ""), resource=str(entry.get("resource") or ""),
            control=str(entry.get("control") or ""),
            check=str(entry.get("check") or ""), resource_type=str(entry.get("resourceType") or ""),
        ))
    return gaps
