"""The platform's policies, grouped by concern; ``build_policies`` turns them into CrossGuard policies.

Importing this package constructs no ``PolicyPack`` (that starts a server and
blocks forever); only ``policies/__main__.py`` does.
"""

from __future__ import annotations

from pulumi_policy import Policy

from rules import audit_logging, destroy, encryption, governance, identity, keys, network, retention
from controls.catalog import CatalogError, Control, load_catalog
from rules.registry import Rule, build_policy

MODULES = (encryption, keys, retention, network, identity, audit_logging, governance, destroy)


def all_rules() -> list[Rule]:
    rules = [rule for module in MODULES for rule in module.registry.rules]
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
