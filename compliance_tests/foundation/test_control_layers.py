"""One catalog: each control is implemented at exactly the layers controls.yaml claims for it.

Preview: a CrossGuard rule names the control (DES-01's retainOnDelete half is
checked by the gate from graph.json, its protect half by a rule). Static: the
catalog lists checkov checks for it (the static suite proves each ID exists and
each custom check is claimed by the control it names). Live: an audit check is
registered under it. Nothing is implemented that the catalog does not list.
"""

import sys

import pytest

from compliance import REPO_ROOT
from compliance.audit.registry import all_checks
from compliance.catalog import load_catalog

sys.path.insert(0, str(REPO_ROOT / "policies"))
from rules import all_rules  # noqa: E402  (the pack is self-contained; its package lives in policies/)

CATALOG = load_catalog()


def implemented() -> dict[str, set[str]]:
    layers: dict[str, set[str]] = {}
    for rule in all_rules():
        layers.setdefault(rule.control, set()).add("preview")
    for control in CATALOG.controls.values():
        if control.checkov:
            layers.setdefault(control.id, set()).add("static")
    for check in all_checks():
        layers.setdefault(check.control, set()).add("live")
    return layers


def test_nothing_is_implemented_for_a_control_the_catalog_does_not_list():
    assert set(implemented()) <= set(CATALOG.controls)


@pytest.mark.parametrize("control_id", sorted(CATALOG.controls))
def test_control_is_implemented_at_every_layer_it_claims_and_no_other(control_id):
    assert implemented().get(control_id, set()) == set(CATALOG[control_id].layers)
