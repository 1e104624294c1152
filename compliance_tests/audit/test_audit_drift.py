"""Drift, one test (at least) per live control: break the deployed stack, audit, see exactly that.

Each drift of ``drifts.py`` is applied to the ``auditdrift`` stack, the stack
is audited, and the drift is undone. The audit must fail the drift's control
naming the broken resource, every other finding must stay pass or
not_applicable, and the exit code must be 1 (0 when the control is advisory).
"""

from __future__ import annotations

import pytest

from compliance.catalog import load_catalog
from compliance.errors import EXIT_OK, EXIT_VIOLATION
from compliance_tests.audit.audit_runs import run_audit_cli, sandbox_args
from compliance_tests.audit.drifts import DRIFTS, DriftContext

CATALOG = load_catalog()


def test_every_live_control_has_a_drift():
    assert {d.control for d in DRIFTS} == {c.id for c in CATALOG.with_layer("live")}


@pytest.fixture(scope="module")
def drift_baseline(drift_stack, tmp_path_factory):
    """The drift stack before any drift: green, so that a drift's failures are its own."""
    run = run_audit_cli(tmp_path_factory.mktemp("baseline"), *sandbox_args(drift_stack))
    assert not run.not_green(), run.output
    return run


@pytest.mark.parametrize("drift", DRIFTS, ids=lambda d: d.id)
def test_drift_is_caught_naming_the_resource(drift, drift_stack, drift_baseline, tmp_path):
    undo, expected = drift.apply(DriftContext(drift_stack))
    try:
        regions = [arg for region in drift.regions for arg in ("--region", region)]
        run = run_audit_cli(tmp_path, *sandbox_args(drift_stack, *regions))
    finally:
        undo()
    assert run.not_green() == expected, run.output
    failed = [f for f in run.findings if (f.control, f.resource.name) in expected]
    assert failed and all(f.status == "fail" for f in failed), failed
    assert all(f.message.startswith(f.resource.name) for f in failed)
    for finding in failed:
        assert f"{finding.control} {finding.resource.type} {finding.resource.id}" in run.output
    mandatory = any(CATALOG[control].enforcement == "mandatory" for control, _ in expected)
    assert run.exit_code == (EXIT_VIOLATION if mandatory else EXIT_OK), run.output
