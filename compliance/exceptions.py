"""Exceptions: every way a stage was told to judge less than the catalog asks, recorded so the report can refuse it.

Only waivers waive. A policy pack config that disables a policy, lowers a mandatory
policy to advisory or weakens one of its parameters (the catalog's ``weakens``), and
``scan --checkov-args`` that deselect one of our deciding checks all silence findings;
the stage that was told so records each as an *exception*:

* in its findings file's scope (``scope.exceptions``: every exception, whether or not
  it silenced anything), and
* on each finding it silenced: status ``error`` (the catalog's evaluation did not
  happen, or not at the catalog's standard) with the exception in
  ``evidence.exceptions``, and what the stage did see in the message.

The report lists every exception (``exceptions`` in report.json) and turns a finding
it silenced into ``waived`` only when an active waiver covers it; otherwise the
finding stays ``error`` and the run fails.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any

KINDS = {
    "disabled": "policy disabled by the policy pack config",
    "advisory": "mandatory policy lowered to advisory by the policy pack config",
    "weakened": "policy parameter weakened by the policy pack config",
    "deselected": "deciding checkov check deselected by --checkov-args",
}
EVIDENCE_KEY = "exceptions"
SCOPE_KEY = "exceptions"

EXCEPTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "kind", "layer", "control", "subject", "detail", "source"],
    "properties": {
        "id": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
        "kind": {"enum": list(KINDS)},
        "layer": {"enum": ["preview", "static", "live"]},
        "control": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{2}$"},
        "subject": {"type": "string", "minLength": 1},
        "detail": {"type": "string"},
        "source": {"type": "string"},
    },
    "additionalProperties": False,
}


@dataclass(frozen=True)
class StageException:
    """One setting that made a stage judge ``control`` less than the catalog asks.

    ``subject`` is the policy or check concerned; ``detail`` says what changed
    ("minDays 7 is below the catalog's 30"); ``source`` where it came from
    ("--policy-pack-config cfg.json").
    """

    kind: str
    layer: str
    control: str
    subject: str
    detail: str
    source: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown exception kind {self.kind!r}; expected one of {', '.join(KINDS)}")

    @property
    def id(self) -> str:
        key = "\x1f".join((self.kind, self.layer, self.control, self.subject, self.detail))
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def describe(self) -> str:
        return f"{self.subject}: {self.detail} ({self.source})" if self.source else f"{self.subject}: {self.detail}"

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StageException:
        return cls(**{k: v for k, v in data.items() if k != "id"})


def silenced_by(finding: dict[str, Any]) -> list[dict[str, Any]]:
    """The exceptions that silenced a finding (as a report dict): an ``error`` that carries them."""
    evidence = finding.get("evidence") or {}
    recorded = evidence.get(EVIDENCE_KEY) if isinstance(evidence, dict) else None
    if finding.get("status") != "error" or not isinstance(recorded, list):
        return []
    return [e for e in recorded if isinstance(e, dict)]
