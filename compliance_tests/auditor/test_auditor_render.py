"""The ComplianceAuditor in the rendered program: on by default, its schedule and rules point at the auditor, the
rules' patterns are the catalog's triggers, and ``complianceAuditor: false`` leaves all of it out."""

from __future__ import annotations

import json

import pytest

from compliance.catalog import load_catalog
from compliance.render import render_graph
from compliance_tests.program.graph_helpers import of_type, one, policy, statements

AUDITOR_TYPES = ("aws:cloudwatch/eventRule:EventRule", "aws:cloudwatch/eventTarget:EventTarget",
                 "aws:scheduler/schedule:Schedule", "aws:sqs/queuePolicy:QueuePolicy",
                 "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")


@pytest.fixture(scope="module")
def graph():
    return render_graph("dev")


def _depends(resource, prop, target):
    return target["urn"] in resource["propertyDependencies"].get(prop, [])


def test_the_schedule_invokes_the_auditor_with_the_scheduled_input_daily(graph):
    function = one(graph, "aws:lambda/function:Function", "auditor")
    schedule = one(graph, "aws:scheduler/schedule:Schedule", "auditor")
    assert _depends(schedule, "target", function)
    assert schedule["inputs"]["scheduleExpression"] == "rate(1 day)"
    assert json.loads(schedule["inputs"]["target"]["input"]) == {"auditor": "scheduled-audit"}
    role = one(graph, "aws:iam/rolePolicy:RolePolicy", "auditor-schedule")
    assert _depends(role, "policy", function)
    assert any(s["Action"] == ["lambda:InvokeFunction"] for s in statements(policy(role)))


def test_one_rule_per_event_source_with_the_catalogs_pattern_and_every_rule_targets_the_auditor_queue(graph):
    patterns = load_catalog().event_patterns()
    rules = {r["name"].removeprefix("auditor-"): r for r in of_type(graph, "aws:cloudwatch/eventRule:EventRule")}
    assert {s: json.loads(r["inputs"]["eventPattern"]) for s, r in rules.items()} == patterns
    queue = one(graph, "aws:sqs/queue:Queue", "auditor-events")
    targets = of_type(graph, "aws:cloudwatch/eventTarget:EventTarget")
    assert {t["name"].removeprefix("auditor-") for t in targets} == set(patterns)
    assert all(_depends(t, "arn", queue) for t in targets)
    mapping = one(graph, "aws:lambda/eventSourceMapping:EventSourceMapping", "auditor-events")
    assert mapping["inputs"]["eventSourceArn"] == "arn:aws:sqs:sa-east-1:123456789012:sqs-auditor-events-dev"
    assert queue["urn"] in mapping["dependencies"] and queue["inputs"]["name"] == "sqs-auditor-events-dev"
    assert _depends(mapping, "functionName", one(graph, "aws:lambda/function:Function", "auditor"))
    assert mapping["inputs"]["functionResponseTypes"] == ["ReportBatchItemFailures"]
    redrive = json.loads(queue["inputs"]["redrivePolicy"])
    assert redrive["maxReceiveCount"] == 5
    assert _depends(queue, "redrivePolicy", one(graph, "aws:sqs/queue:Queue", "auditor-events-dlq"))


def test_the_evidence_bucket_is_object_locked_in_governance_mode_by_default(graph):
    bucket = one(graph, "aws:s3/bucket:Bucket", "evidence")
    assert bucket["inputs"]["objectLockEnabled"] is True and bucket["inputs"]["forceDestroy"] is True
    lock = one(graph, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration", "evidence")
    assert lock["inputs"]["rule"]["defaultRetention"] == {"mode": "GOVERNANCE", "days": 30}


def test_the_switch_leaves_the_auditor_out():
    graph = render_graph("dev", {"complianceAuditor": "false"})
    present = {r["type"] for r in graph.custom_resources()}
    assert not present & set(AUDITOR_TYPES)
    assert not [r for r in graph.of_type("aws:lambda/function:Function") if r["name"] == "auditor"]
    assert not [r for r in graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint") if "securityhub" in r["name"]]


def test_config_sets_the_schedule_and_the_lock():
    graph = render_graph("dev", {"auditorSchedule": "rate(12 hours)", "evidenceRetentionDays": "400",
                                 "evidenceLockMode": "COMPLIANCE"})
    assert one(graph, "aws:scheduler/schedule:Schedule")["inputs"]["scheduleExpression"] == "rate(12 hours)"
    lock = one(graph, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert lock["inputs"]["rule"]["defaultRetention"] == {"mode": "COMPLIANCE", "days": 400}
