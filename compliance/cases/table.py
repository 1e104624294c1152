"""Every case table beside the decision modules, and the shared fixtures they may reference."""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from compliance import POLICIES_DIR
from compliance.errors import UsageError
from controls.cases import Case, Resource

CONTROLS_DIR = POLICIES_DIR / "controls"
FIXTURES_MODULE = "controls.case_fixtures"


def case_modules() -> list[str]:
    return sorted(f"controls.{path.stem}" for path in CONTROLS_DIR.glob("*_cases.py"))


def load_cases(controls: Iterable[str] = ()) -> list[Case]:
    """Every case, or those of the given control IDs; case names are unique."""
    wanted = set(controls)
    cases: list[Case] = []
    for module in case_modules():
        cases += [c for c in importlib.import_module(module).CASES if not wanted or c.control in wanted]
    names = [c.name for c in cases]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise UsageError(f"case {duplicates[0]} is defined twice; case names must be unique")
    unknown = sorted(wanted - {c.control for c in cases})
    if unknown:
        raise UsageError(f"no cases for {', '.join(unknown)}; add them beside the control's decision module")
    return cases


def load_fixtures() -> dict[str, Resource]:
    """Shared resources cases reference as ``@key`` (``policies/controls/case_fixtures.py``), if any."""
    try:
        module = importlib.import_module(FIXTURES_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name != FIXTURES_MODULE:
            raise
        return {}
    return {f"@{r.key}": r for r in module.FIXTURES}
