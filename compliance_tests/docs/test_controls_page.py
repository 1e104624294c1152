"""docs/controls.md's table of every control in every layer is the code's: no name missing, none stale."""

from __future__ import annotations

import re

from compliance import REPO_ROOT
from compliance.audit.registry import all_checks
from compliance.catalog import load_catalog
from rules import all_rules

PAGE = (REPO_ROOT / "docs" / "controls.md").read_text()


def _rows() -> dict[str, list[str]]:
    return {m.group(1): [cell.strip() for cell in m.group(2).split("|")]
            for m in re.finditer(r"^\| ([A-Z]{3}-[0-9]{2}) \|(.*)\|$", PAGE, re.M)}


def test_every_control_has_a_row():
    assert set(_rows()) == set(load_catalog().controls)


def test_the_rows_name_exactly_the_registered_policies_checks_and_live_checks():
    catalog = load_catalog()
    for control_id, (preview, static, live) in _rows().items():
        assert set(re.findall(r"`([a-z0-9-]+)`", preview)) == {
            r.name for r in all_rules() if r.control == control_id}, control_id
        control = catalog[control_id]
        assert set(re.findall(r"CKV2?_[A-Z0-9]+_[0-9]+", static)) == (
            set(control.checkov) if "static" in control.layers else set()), control_id
        assert set(re.findall(r"`([a-z0-9-]+)`", live)) == {
            c.name for c in all_checks() if c.control == control_id}, control_id
