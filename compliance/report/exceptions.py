"""The report's exceptions section: every setting that silenced findings, and whether a waiver accepted it.

The stages record their exceptions (``compliance.exceptions``): in their scope, and
on each finding they silenced (an ``error`` carrying it). After the waivers are
applied, each exception is

* ``waived`` when an active waiver covers every finding it silenced (the entry
  names the waivers: owner, reason, expiry, resource scope);
* ``refused`` when at least one of them is not covered: those findings stay
  ``error`` and the run fails;
* ``unused`` when it silenced nothing (a weakened threshold on a resource that
  fails anyway, a disabled policy with nothing in scope): listed, harmless.

Emulator gaps are not exceptions: see ``compliance.report.gaps``.
"""

from __future__ import annotations

from typing import Any

import jsonschema

from compliance.errors import EvaluationError
from compliance.exceptions import EXCEPTION_SCHEMA, SCOPE_KEY, silenced_by
from compliance.report.inputs import LayerInput

STATES = ("refused", "waived", "unused")


def _recorded(inputs: list[LayerInput]) -> dict[str, dict[str, Any]]:
    """Every exception the stages recorded in their scopes, by id; a malformed one is an error naming the file."""
    found: dict[str, dict[str, Any]] = {}
    for layer_input in inputs:
        recorded = layer_input.findings_file.scope.get(SCOPE_KEY, [])
        try:
            jsonschema.validate(recorded, {"type": "array", "items": EXCEPTION_SCHEMA})
        except jsonschema.ValidationError as exc:
            raise EvaluationError(f"{layer_input.path}: scope.{SCOPE_KEY} is malformed ({exc.message}); rerun the "
                                  "stage that wrote it") from exc
        for exception in recorded:
            found[exception["id"]] = exception
    return found


def exceptions_section(inputs: list[LayerInput], findings: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``exceptions`` section; call after the waivers were applied."""
    exceptions = _recorded(inputs)
    silenced: dict[str, list[dict[str, Any]]] = {key: [] for key in exceptions}
    for finding in findings:
        recorded = silenced_by({**finding, "status": finding["originalStatus"]})
        for exception in recorded:
            try:
                jsonschema.validate(exception, EXCEPTION_SCHEMA)
            except jsonschema.ValidationError as exc:
                raise EvaluationError(f"finding {finding['id']} ({finding['control']}, {finding['layer']}) carries a "
                                      f"malformed exception ({exc.message}); rerun its stage") from exc
            exceptions.setdefault(exception["id"], exception)
            silenced.setdefault(exception["id"], []).append(finding)
    entries = []
    for key, exception in exceptions.items():
        mine = silenced[key]
        waivers = {f["waiver"]["resource"] + "\x1f" + f["waiver"]["check"] + "\x1f" + f["waiver"]["owner"]: f["waiver"]
                   for f in mine if f["waiver"] is not None}
        state = "unused" if not mine else "waived" if all(f["status"] == "waived" for f in mine) else "refused"
        entries.append({**exception, "state": state, "findings": sorted(f["id"] for f in mine),
                        "waivers": [waivers[k] for k in sorted(waivers)]})
    entries.sort(key=lambda e: (STATES.index(e["state"]), e["control"], e["layer"], e["kind"], e["subject"], e["id"]))
    return {"entries": entries, **{state: sum(1 for e in entries if e["state"] == state) for state in STATES}}
