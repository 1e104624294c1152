"""The pack config's exceptions: a disabled, weakened or downgraded policy never passes silently.

Each runs the real pack over gRPC (the session's pack) on the platform's graph and
proves that the gate records what the config silenced as an ``error`` carrying the
exception, names the policy, the resource and the setting, and lists every
exception in gate.json's scope; a stricter setting is no exception.
"""

from __future__ import annotations

from compliance.errors import EXIT_ERROR
from compliance_tests.gate.harness import finding, graph, resource, run, stack_finding
from compliance_tests.policies.platform import platform_graph

RET01 = "ret-01-aurora-backup-retention"


def _cluster(g):
    return next(r for r in g.resources if r["type"] == "aws:rds/cluster:Cluster")


def test_a_disabled_policy_is_an_error_with_its_exception_not_a_pass_or_a_waiver(tmp_path):
    g = platform_graph()
    cluster = _cluster(g)
    result = run(g, tmp_path=tmp_path, config={RET01: "disabled"})
    ret01 = finding(result, "RET-01", cluster)
    assert ret01.status == "error"
    assert ret01.message.startswith(f"{RET01}: not evaluated: disabled by --policy-pack-config")
    [exception] = ret01.evidence["exceptions"]
    assert (exception["kind"], exception["control"], exception["subject"]) == ("disabled", "RET-01", RET01)
    assert result.scope["exceptions"] == [exception]
    assert result.exit_code() == EXIT_ERROR


def test_a_weakened_threshold_turns_the_pass_into_an_exception_naming_the_setting(tmp_path):
    g = platform_graph()
    cluster = _cluster(g)
    result = run(g, tmp_path=tmp_path, config={RET01: {"minDays": 7}})
    ret01 = finding(result, "RET-01", cluster)
    assert ret01.status == "error"
    assert "passed only under a weakened setting (minDays: 7 is below the catalog's 30" in ret01.message
    assert ret01.evidence["policies"] == {RET01: "pass under a weakened setting"}
    assert [e["kind"] for e in ret01.evidence["exceptions"]] == ["weakened"]


def test_a_weakened_threshold_does_not_hide_a_violation(tmp_path):
    g = platform_graph()
    cluster = _cluster(g)
    cluster["inputs"]["backupRetentionPeriod"] = 5.0
    result = run(g, tmp_path=tmp_path, config={RET01: {"minDays": 7}})
    ret01 = finding(result, "RET-01", cluster)
    assert ret01.status == "fail" and "exceptions" not in ret01.evidence  # failing a weaker bar fails the real one
    assert len(result.scope["exceptions"]) == 1


def test_a_mandatory_control_lowered_to_advisory_keeps_its_violation_as_an_error(tmp_path):
    g = platform_graph()
    cluster = _cluster(g)
    result = run(g, tmp_path=tmp_path, config={RET01: {"enforcementLevel": "advisory", "minDays": 35}})
    ret01 = finding(result, "RET-01", cluster)
    assert ret01.status == "error" and ret01.enforcement == "mandatory"
    assert "lowered to advisory" in ret01.message and "below 35" in ret01.message
    assert result.exit_code() == EXIT_ERROR


def test_every_policy_lowered_to_advisory_is_listed_even_when_it_silenced_nothing(tmp_path):
    result = run(platform_graph(), tmp_path=tmp_path, config={"all": "advisory"})
    kinds = {(e["kind"], e["subject"]) for e in result.scope["exceptions"]}
    assert ("advisory", "enc-01-kinesis-customer-managed-key") in kinds
    assert not any(s.startswith("gov-03-") for _, s in kinds)  # advisory in the catalog already
    assert all(f.status != "error" for f in result.findings)  # the compliant stack: nothing was silenced


def test_list_parameters_weaken_by_their_catalog_direction(tmp_path):
    g = platform_graph()
    removed = run(g, tmp_path=tmp_path, config={"gov-03-required-tags": {"requiredTags": ["Owner"]}})
    [exception] = removed.scope["exceptions"]
    assert exception["detail"] == "requiredTags: removes Environment, Project, DataClassification from the catalog's " \
                                  "required list"
    stricter = run(g, tmp_path=tmp_path, config={"gov-03-required-tags": {
        "requiredTags": ["Environment", "Project", "Owner", "DataClassification", "CostCentre"]}})
    assert stricter.scope["exceptions"] == []


def test_a_retired_policy_disabled_is_no_exception(tmp_path):
    result = run(platform_graph(), tmp_path=tmp_path, config={"kms-02-key-references-resolve-in-stack": "disabled"})
    assert result.scope["exceptions"] == []


def test_a_control_whose_policies_match_no_resource_is_not_applicable_saying_why():
    g = graph(resource("aws:kinesis/stream:Stream", "telemetry", {"name": "kinesis-telemetry-dev"}))
    ret01 = stack_finding(run(g), "RET-01")
    assert ret01.status == "not_applicable"
    assert ret01.message == ("the stack has no resource of the types this control's policies govern "
                             f"({RET01}: aws:rds/cluster:Cluster)")
