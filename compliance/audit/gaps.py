"""Emulator gaps: the API calls an emulated account (the sandbox) cannot answer faithfully.

A gap is not a waiver. It names an API call, never a control, and applies only
when the audit reads a loopback endpoint (``127.0.0.1``, ``localhost``, ``::1``:
the sandbox); against AWS a gaps file is refused. The sandbox writes its gaps
beside its outputs (``.sandbox/<suffix>/gaps.json``), the audit's own list of
reads moto cannot answer is ``compliance/audit/moto-read-gaps.json``, and
``compliance audit --known-gaps FILE`` reads them. The file is a JSON list of
entries (or ``{"gaps": [...]}``), each with:

- ``api`` (required): ``"service:Operation"``, the call;
- ``reason`` (required): what the emulator gets wrong and what that hides;
- ``resource`` (optional): the one resource (ARN, id or name) the gap is about;
  without it, every resource;
- ``fields`` (optional): the fields of the call's *answer* the emulator gets
  wrong (``"DeadLetterConfig"``, ``"LoggingConfig.LogGroup"``).

What a gap does:

- without ``fields`` it explains a *failure* of the call (an unimplemented API
  answering HTTP 500): what that failure touches is ``not_applicable`` with the
  reason instead of ``error``. An access denial, throttling or an unreachable
  endpoint is never explained by a gap;
- with ``fields`` it marks a *wrong answer*: a finding whose evidence holds one
  of those fields of that call's answer (on that resource) is
  ``not_applicable`` with the reason (evidence ``knownGap``), its observed
  verdict kept as evidence (``observed``), never a pass nor a fail.

``resourceType`` and ``name`` (the sandbox's Pulumi type and logical name) are
kept for the report. An entry naming a ``control`` (or a ``check``) is refused:
silencing a control is a waiver's job, with an owner and an expiry.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from compliance.audit.aws import ApiError
from compliance.errors import UsageError
from compliance.findings import ResourceRef

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
API_PATTERN = re.compile(r"^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$")
# An evidence key names the call(s) it came from: "lambda:ListFunctions",
# "iam:GetAccountAuthorizationDetails+GetPolicyVersion".
EVIDENCE_KEY = re.compile(r"^([a-z0-9-]+):([A-Z][A-Za-z0-9]+(?:\+[A-Z][A-Za-z0-9]+)*)$")
ENTRY_KEYS = frozenset({"api", "reason", "resource", "fields", "resourceType", "name"})
WAIVER_KEYS = ("control", "check")
SUPPORTED_VERSION = 2  # gaps.json as the sandbox writes it (version 1 entries could name a control)


@dataclass(frozen=True)
class Gap:
    api: str
    reason: str
    resource: str = ""
    fields: tuple[str, ...] = ()
    resource_type: str = ""
    name: str = ""

    def explains_failure_of(self, api: str, identities: Iterable[str]) -> bool:
        return not self.fields and self.api == api and (not self.resource or self.resource in identities)

    def covers(self, ref: ResourceRef, evidence: dict[str, Any]) -> bool:
        """Does ``evidence`` (of a finding on ``ref``) hold a field of this call's answer the emulator gets wrong?"""
        if not self.fields:
            return False
        for entry in evidence_of(self.api, evidence):
            about_this = not self.resource or self.resource in (ref.id, ref.name) or _mentions(entry, self.resource)
            if about_this and any(_has_field(entry, f) for f in self.fields):
                return True
        return False

    def to_json(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"api": self.api}
        if self.resource:
            entry["resource"] = self.resource
        if self.fields:
            entry["fields"] = list(self.fields)
        if self.resource_type:
            entry["resourceType"] = self.resource_type
        if self.name:
            entry["name"] = self.name
        entry["reason"] = self.reason
        return entry


class KnownGaps:
    """The gaps of one audit, and which of them it applied (for ``audit.json``'s scope)."""

    def __init__(self, gaps: Iterable[Gap] = ()) -> None:
        self.gaps: tuple[Gap, ...] = tuple(gaps)
        self._wrong_answers: dict[str, list[Gap]] = {}  # api -> the gaps with fields (looked up per finding)
        for gap in self.gaps:
            if gap.fields:
                self._wrong_answers.setdefault(gap.api, []).append(gap)
        self._applied: dict[Gap, set[str]] = {}
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        return bool(self.gaps)

    def _apply(self, gap: Gap, control: str) -> Gap:
        with self._lock:
            self._applied.setdefault(gap, set()).add(control)
        return gap

    def for_api(self, api: str, *resource: str, control: str = "") -> Gap | None:
        """The gap explaining a failed call of ``api`` on a resource known by any of ``resource`` (ARN, name)."""
        gap = next((g for g in self.gaps if g.explains_failure_of(api, resource)), None)
        return self._apply(gap, control) if gap is not None else None

    def for_error(self, error: ApiError, *resource: str, control: str = "") -> Gap | None:
        """The gap explaining ``error``: only an unexpected answer can be an emulator's gap."""
        return self.for_api(error.api, *resource, control=control) if error.kind == "unexpected" else None

    def for_evidence(self, ref: ResourceRef, evidence: dict[str, Any], control: str) -> Gap | None:
        """The gap whose wrong answer a finding on ``ref`` was decided with (see ``Gap.covers``)."""
        if not self._wrong_answers:
            return None
        candidates = [g for api in sorted(evidence_apis(evidence)) for g in self._wrong_answers.get(api, ())]
        gap = next((g for g in candidates if g.covers(ref, evidence)), None)
        return self._apply(gap, control) if gap is not None else None

    def applied(self) -> list[dict[str, Any]]:
        """Every gap this audit applied, with the controls whose findings it made not observable."""
        with self._lock:
            used = dict(self._applied)
        return [{**gap.to_json(), "controls": sorted(c for c in controls if c)}
                for gap, controls in sorted(used.items(), key=lambda item: (item[0].api, item[0].resource))]

    def describe(self) -> list[dict[str, Any]]:
        return [g.to_json() for g in self.gaps]


def evidence_apis(evidence: Any) -> set[str]:
    """Every API call an evidence record names (its "service:Op" and "service:Op1+Op2" keys, at any depth)."""
    found: set[str] = set()
    if isinstance(evidence, dict):
        for key, value in evidence.items():
            match = EVIDENCE_KEY.match(str(key))
            if match:
                found.update(f"{match[1]}:{op}" for op in match[2].split("+"))
            found |= evidence_apis(value)
    elif isinstance(evidence, (list, tuple)):
        for item in evidence:
            found |= evidence_apis(item)
    return found


def evidence_of(api: str, evidence: Any) -> Iterator[Any]:
    """Every evidence entry recorded under ``api`` (at any depth: "service:Op" or "service:Op1+Op2" keys)."""
    if isinstance(evidence, dict):
        for key, value in evidence.items():
            match = EVIDENCE_KEY.match(str(key))
            if match and api in {f"{match[1]}:{op}" for op in match[2].split("+")}:
                yield value
            yield from evidence_of(api, value)
    elif isinstance(evidence, (list, tuple)):
        for item in evidence:
            yield from evidence_of(api, item)


def _has_field(entry: Any, field_path: str) -> bool:
    """Is ``field_path`` ("A" or "A.B") a key of ``entry`` at any depth (dotted paths as nested keys or one key)?"""
    if isinstance(entry, dict):
        if field_path in entry:
            return True
        head, _, rest = field_path.partition(".")
        if rest and isinstance(entry.get(head), dict) and _has_field_here(entry[head], rest):
            return True
        return any(_has_field(value, field_path) for value in entry.values())
    if isinstance(entry, (list, tuple)):
        return any(_has_field(item, field_path) for item in entry)
    return False


def _has_field_here(entry: dict[str, Any], path: str) -> bool:
    head, _, rest = path.partition(".")
    if head not in entry:
        return False
    return not rest or (isinstance(entry[head], dict) and _has_field_here(entry[head], rest))


def _mentions(entry: Any, text: str) -> bool:
    """Does ``text`` appear as a key or a value anywhere in ``entry``?"""
    if isinstance(entry, dict):
        return any(k == text or _mentions(v, text) for k, v in entry.items())
    if isinstance(entry, (list, tuple, set)):
        return any(_mentions(item, text) for item in entry)
    return entry == text


def is_loopback(endpoint_url: str | None) -> bool:
    if not endpoint_url:
        return False
    try:
        host = urlsplit(endpoint_url).hostname
    except ValueError:
        return False
    return host in LOOPBACK_HOSTS


def require_loopback(endpoint_url: str | None, gaps: KnownGaps) -> None:
    """Gaps describe an emulator: against anything but the loopback sandbox they would hide real findings."""
    if gaps and not is_loopback(endpoint_url):
        where = f"--endpoint-url {endpoint_url}" if endpoint_url else "AWS (no --endpoint-url)"
        raise UsageError(f"--known-gaps applies only to the sandbox on a loopback endpoint (127.0.0.1, localhost, "
                         f"::1); this audit reads {where}, where a gap would hide a real finding: drop --known-gaps")


def load_gaps(paths: Iterable[Path]) -> KnownGaps:
    gaps: list[Gap] = []
    for path in paths:
        gaps.extend(read_gaps_file(Path(path)))
    return KnownGaps(gaps)


def read_gaps_file(path: Path) -> list[Gap]:
    try:
        data: Any = json.loads(path.read_text())
    except FileNotFoundError:
        raise UsageError(f"--known-gaps {path}: no such file (the sandbox writes it beside outputs.json)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"--known-gaps {path}: cannot read it ({type(exc).__name__})") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"--known-gaps {path}: not JSON ({exc.msg})") from None
    if isinstance(data, dict) and data.get("version", SUPPORTED_VERSION) != SUPPORTED_VERSION:
        raise UsageError(f"--known-gaps {path}: version {data['version']!r}, this audit reads version "
                         f"{SUPPORTED_VERSION}: redeploy the sandbox (`compliance sandbox up`) to rewrite it")
    entries = data.get("gaps") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise UsageError(f"--known-gaps {path}: expected a list of gaps or {{\"gaps\": [...]}}")
    return parse_gaps(entries, f"--known-gaps {path}")


def parse_gaps(entries: list[Any], source: str) -> list[Gap]:
    """Gap entries as the sandbox writes them (``Gap.to_json``); ``source`` names them in errors."""
    return [parse_gap(entry, f"{source}: entry {index}") for index, entry in enumerate(entries)]


def parse_gap(entry: Any, where: str) -> Gap:
    if not isinstance(entry, dict):
        raise UsageError(f"{where}: expected an object with api and reason")
    named = [key for key in WAIVER_KEYS if entry.get(key)]
    if named:
        raise UsageError(f"{where} names a {named[0]} ({entry[named[0]]!r}): a gap covers API calls, never a control; "
                         "name the call whose answer the emulator gets wrong (\"api\", with \"resource\" and "
                         "\"fields\"), or waive the control in a waivers file with an owner and an expiry")
    if not isinstance(entry.get("reason"), str) or not entry["reason"].strip():
        raise UsageError(f"{where} has no reason; every gap must say why")
    api = entry.get("api")
    if not isinstance(api, str) or not API_PATTERN.match(api):
        raise UsageError(f"{where}: \"api\" must name one call as service:Operation (e.g. lambda:ListFunctions), "
                         f"not {api!r}")
    unknown = sorted(set(entry) - ENTRY_KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r}; a gap has {', '.join(sorted(ENTRY_KEYS))}")
    fields = entry.get("fields", [])
    if not isinstance(fields, list) or not all(isinstance(f, str) and f.strip() for f in fields):
        raise UsageError(f"{where}: \"fields\" must be a list of the answer's field names")
    resource = entry.get("resource", "")
    if not isinstance(resource, str) or resource.strip() == "*":
        raise UsageError(f"{where}: \"resource\" must be one resource's ARN, id or name (leave it out for every "
                         "resource)")
    return Gap(api=api, reason=entry["reason"], resource=resource, fields=tuple(fields),
               resource_type=str(entry.get("resourceType") or ""), name=str(entry.get("name") or ""))
