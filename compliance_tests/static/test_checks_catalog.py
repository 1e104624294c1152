"""Our checks, checkov's checks and the catalog agree: every ID exists, names its control, is claimed once."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from compliance import REPO_ROOT
from compliance.catalog import load_catalog
from compliance.static.checkov_run import CHECKS_DIR, checkov_binary, load_skips

_PY_CHECK = re.compile(r'name="([A-Z]{3}-[0-9]{2}): [^"]+",\s*id="(CKV_IOT_[0-9]+)"', re.S)


def custom_checks() -> dict[str, str]:
    """Our check id -> the control its name opens with."""
    found: dict[str, str] = {}
    for path in sorted(CHECKS_DIR.glob("*.py")):
        for control, check in _PY_CHECK.findall(path.read_text()):
            assert check not in found, f"{check} defined twice"
            found[check] = control
    for path in sorted(CHECKS_DIR.glob("*.yaml")):
        metadata = yaml.safe_load(path.read_text())["metadata"]
        found[metadata["id"]] = metadata["name"].split(":")[0]
    return found


@pytest.fixture(scope="module")
def checkov_ids() -> set[str]:
    listing = subprocess.run(
        [str(checkov_binary()), "--skip-download", "--list", "--framework", "terraform", "secrets"],
        capture_output=True, text=True, timeout=300, check=True, cwd=Path(REPO_ROOT),
    ).stdout
    return set(re.findall(r"\|\s*(CKV2?_[A-Z0-9]+_[0-9]+)\s*\|", listing))


def test_every_custom_check_is_claimed_by_the_control_it_names():
    owners = load_catalog().by_checkov_id()
    checks = custom_checks()
    assert len(checks) >= 18
    assert {check: owners.get(check) for check in checks} == checks


def test_every_catalog_id_exists(checkov_ids):
    unknown = sorted(check for check in load_catalog().by_checkov_id()
                     if check not in checkov_ids and check not in custom_checks())
    assert unknown == []


def test_every_skip_is_a_real_checkov_check(checkov_ids):
    assert sorted(set(load_skips()) - checkov_ids) == []
