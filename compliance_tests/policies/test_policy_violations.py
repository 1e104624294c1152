"""Every policy, through the real pack over gRPC: the compliant platform passes, each violation is caught.

A violation test proves three things: the control fails on the changed
resource (and only on the resources that really are affected), the finding
names the policy that caught it, and the message says how to fix it.
"""

from __future__ import annotations

import io

import pytest

from compliance.gate.console import print_report
from compliance_tests.gate.harness import finding, run, stack_finding
from compliance_tests.policies.cases import CASES, Case
from compliance_tests.policies.platform import platform, platform_graph
from rules import all_rules
from rules.registry import RETIRED


def test_the_compliant_platform_passes_every_control_with_every_policy_exercised():
    result = run(platform_graph())
    assert [f for f in result.findings if f.status != "pass"] == []
    assert result.exit_code() == 0
    exercised = {name for f in result.findings for name in f.evidence["policies"]}
    assert {rule.name for rule in judging()} <= exercised  # no policy passes vacuously on an empty scope
    assert {f.control for f in result.findings} >= {rule.control for rule in all_rules()}


def judging():
    """Every rule but the retired ones (kept so that config files naming them keep working; they judge nothing)."""
    return [rule for rule in all_rules() if RETIRED not in rule.scope]


def test_every_policy_has_a_violation_case():
    assert {rule.name for rule in judging()} == {case.policy for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_violation_is_caught_on_the_resource_with_its_fix(case: Case):
    resources = platform()
    case.change(resources)
    result = run(platform_graph(resources))

    if case.target:
        target = resources[case.target]
        caught = finding(result, case.control, target)
    else:
        caught = stack_finding(result, case.control)
    assert caught.status == "fail", caught
    assert case.policy in caught.check.split(", ")
    assert case.fix in caught.message, caught.message
    expected = {caught.resource.id} | {resources[key]["urn"] for key in case.also}
    failed = {f.resource.id for f in result.findings if f.control == case.control and f.status == "fail"}
    assert failed == expected
    others = [f for f in result.findings if f.control in case.also_controls and f.status == "fail"]
    assert {f.control for f in others} == set(case.also_controls)
    mandatory = caught.enforcement == "mandatory" or any(f.enforcement == "mandatory" for f in others)
    assert result.exit_code() == (1 if mandatory else 0)


def test_the_printed_diagnostic_names_policy_resource_and_fix():
    resources = platform()
    CASES_BY_ID["kinesis-unencrypted"].change(resources)
    result = run(platform_graph(resources))
    out = io.StringIO()
    print_report(result, out)
    text = out.getvalue()
    assert "❌ iot-platform-controls@v" in text
    assert "- [mandatory]  enc-01-kinesis-customer-managed-key  (aws:kinesis/stream:Stream: telemetry)" in text
    assert 'set encryptionType to "KMS"' in text
    assert "mandatory violations: ENC-01" in text


CASES_BY_ID = {c.id: c for c in CASES}
