"""Every case table beside the decision modules, and the shared fixtures they may reference."""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from compliance import POLICIES_DIR
from compliance.errors import UsageError
from controls.cases import Case, Resource

CONTROLS_DIR = POLICIES_DIR / "controls"


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
    """Shared resources cases reference as ``@key``: any case module may offer some in ``FIXTURES``."""
    found: dict[str, Resource] = {}
    for module in case_modules():
        for resource in getattr(importlib.import_module(module), "FIXTURES", ()):
            if f"@{resource.key}" in found:
                raise UsageError(f"fixture @{resource.key} is defined twice ({module} and another case module)")
            found[f"@{resource.key}"] = resource
    return found
