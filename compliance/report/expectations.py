"""What the run expected, and what each layer delivered: the report is green only when every expected evaluation happened.

The kind of run says which layers it expects (``report --expect``; default all
three; ``compliance run`` expects all three, a scheduled live-only audit ``live``),
the catalog says which controls each layer must judge (``layers``). Per layer:

* expected, findings file missing -> every control it claims is ``error`` ("the
  stage did not run or failed");
* not expected and missing -> ``not_run`` (nothing was asked of it);
* present but incomplete (interrupted) -> ``error`` for every control it claims or
  reported on: its findings may be partial;
* present, complete, but with no finding at all -> ``error`` (the stage evaluated
  nothing);
* present and sound, a claimed control without a finding -> ``error`` (the stage
  evaluated nothing for it: deselected, skipped, crashed). A stage that finds a
  control does not apply says so with a ``not_applicable`` finding.

A findings file that is present is judged by these rules whether or not its layer
was expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from compliance.catalog import Control
from compliance.errors import UsageError
from compliance.findings import LAYERS
from compliance.report.inputs import LAYER_FILES, LayerInput
from compliance.report.status import worst

STAGES = {"preview": "gate", "static": "scan", "live": "audit"}


def parse_expected(text: str) -> tuple[str, ...]:
    """``preview,static,live`` -> the layers, in layer order; unknown or no layer is a usage error."""
    names = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [n for n in names if n not in LAYERS]
    if unknown or not names:
        raise UsageError(f"--expect {text!r}: name one or more of {', '.join(LAYERS)}, comma-separated "
                         "(e.g. --expect live for a live-only audit)")
    return tuple(layer for layer in LAYERS if layer in names)


@dataclass(frozen=True)
class LayerState:
    """One layer of the run: expected or not, and what its findings file delivered."""

    layer: str
    expected: bool
    input: LayerInput | None

    @property
    def present(self) -> bool:
        return self.input is not None

    @property
    def complete(self) -> bool:
        return self.input is not None and self.input.findings_file.complete

    @property
    def problem(self) -> str:
        """Why the whole layer cannot be trusted ("" when it can, or when it was not expected and did not run)."""
        file = LAYER_FILES[self.layer]
        if self.input is None:
            return (f"the {self.layer} layer was expected but {file} is missing: `{STAGES[self.layer]}` did not run "
                    "or failed") if self.expected else ""
        if not self.input.findings_file.complete:
            return f"{file} is incomplete: `{STAGES[self.layer]}` was interrupted, so its findings may be partial"
        if not self.input.findings_file.findings:
            return f"{file} holds no findings: `{STAGES[self.layer]}` evaluated nothing"
        return ""

    def to_summary(self) -> dict[str, Any]:
        return {"present": self.present, "complete": self.complete, "expected": self.expected,
                "reason": self.problem or ("" if self.present or self.expected else "not expected in this run")}


def layer_states(inputs: list[LayerInput], expected: tuple[str, ...]) -> dict[str, LayerState]:
    present = {i.layer: i for i in inputs}
    return {layer: LayerState(layer, layer in expected, present.get(layer)) for layer in LAYERS}


def layer_cell(control: Control, state: LayerState, findings: list[dict[str, Any]]) -> dict[str, Any]:
    """A control's status in one layer, the number of its findings there, and why when nothing decided it."""
    claimed = state.layer in control.layers
    if not claimed and not findings:
        return {"status": None, "findings": 0, "reason": ""}
    if state.problem:
        return {"status": "error", "findings": len(findings), "reason": state.problem}
    if not state.present:
        return {"status": "not_run", "findings": 0, "reason": f"the {state.layer} layer was not expected in this run"}
    if not findings:
        return {"status": "error", "findings": 0,
                "reason": f"`{STAGES[state.layer]}` recorded nothing for {control.id} in "
                          f"{LAYER_FILES[state.layer]}: it was deselected, skipped or crashed"}
    return {"status": worst(f["status"] for f in findings), "findings": len(findings), "reason": ""}
