"""The platform's policies, one module per control (``rules/net_01.py``); ``build_policies`` turns them into CrossGuard policies.

Importing this package constructs no ``PolicyPack`` (that starts a server and
blocks forever); only ``policies/__main__.py`` does.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType

from pulumi_policy import Policy

from controls.catalog import CatalogError, Control, load_catalog
from rules.registry import Rule, build_policy

_CONTROL_MODULE = re.compile(r"^[a-z]{3}_[0-9]{2}$")  # net_01.py: the pack's adapter of NET-01


def control_modules() -> list[ModuleType]:
    """One module per control (``rules/net_01.py``), found by name so that adding a control edits no list."""
    names = sorted(p.stem for p in Path(__file__).parent.glob("*.py") if _CONTROL_MODULE.match(p.stem))
    return [importlib.import_module(f"rules.{name}") for name in names]


def all_rules() -> list[Rule]:
    rules = [rule for module in control_modules() for rule in module.registry.rules]
    names = [r.name for r in rules]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CatalogError(f"policy name {duplicates[0]} is declared twice")
    return rules


def build_policies(controls: dict[str, Control] | None = None) -> list[Policy]:
    """One CrossGuard policy per rule; fails if a rule names a control the catalog lacks."""
    controls = load_catalog().controls if controls is None else controls
    return [build_policy(rule, controls) for rule in all_rules()]


__all__ = ["all_rules", "build_policies", "load_catalog", "CatalogError"]
