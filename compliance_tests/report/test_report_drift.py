"""Drift: the program declares one thing, the live account shows another, on the same resource."""

from __future__ import annotations

import dataclasses

from compliance.errors import EXIT_OK, EXIT_VIOLATION
from compliance.graph import validate_graph
from compliance.report.drift import ResourceIndex, find_drift, identities_of
from compliance_tests.report.report_builders import (
    BUCKET,
    KEY,
    LIVE_BUCKET_ARN,
    LIVE_KEY_ARN,
    LIVE_LOG_GROUP_ARN,
    LIVE_STREAM_ARN,
    LOG_GROUP,
    MARKUP_NAME,
    STREAM,
    baseline_findings,
    graph_data,
    live,
)


def _with_live(findings, index, replacement):
    findings["live"][index] = replacement
    return findings


def test_compliant_deployment_has_no_drift(make_run):
    report = make_run().report
    assert report["drift"] == {"evaluated": True, "reason": "", "items": []}
    assert not any(c["drift"] for c in report["controls"])


def test_rotation_declared_on_but_found_off_is_drift_on_that_key(make_run):
    findings = _with_live(baseline_findings(), 1, live(
        "KMS-01", "fail", LIVE_KEY_ARN, LIVE_KEY_ARN.rsplit("/", 1)[1], "AWS::KMS::Key",
        message="rotation disabled", evidence={"call": "kms:GetKeyRotationStatus", "KeyRotationEnabled": False}))
    run = make_run(findings)
    assert run.exit_code == EXIT_VIOLATION
    [drift] = run.report["drift"]["items"]
    assert drift["control"] == "KMS-01"
    assert drift["resource"]["urn"] == KEY
    assert drift["declared"] == {"layer": "preview", "status": "pass", "findingId": drift["declared"]["findingId"],
                                 "message": "KMS-01 pass on kinesis"}
    assert drift["live"]["status"] == "fail" and drift["live"]["resourceId"] == LIVE_KEY_ARN
    assert drift["live"]["evidence"]["KeyRotationEnabled"] is False
    kms01 = next(c for c in run.report["controls"] if c["id"] == "KMS-01")
    assert kms01["drift"] is True
    assert run.report["summary"]["drift"] == 1
    html = run.text("index.html")
    assert 'class="drift-box drift-item" data-control="KMS-01"' in html
    assert "KMS-01 on kinesis: the program declares pass (preview), the live account shows fail" in \
        run.text("summary.md")


def test_key_is_matched_by_its_alias_when_no_outputs_are_given(make_run):
    findings = _with_live(baseline_findings(), 1, live(
        "KMS-01", "fail", LIVE_KEY_ARN, "alias/kinesis-telemetry-dev", "AWS::KMS::Key"))
    report = make_run(findings, deployed_outputs=False).report
    assert [d["resource"]["urn"] for d in report["drift"]["items"]] == [KEY]


def test_physical_name_matches_the_stream_and_both_declaring_layers_drift(make_run):
    findings = _with_live(baseline_findings(), 0, live(
        "ENC-01", "fail", LIVE_STREAM_ARN, "kinesis-telemetry-dev", "AWS::Kinesis::Stream",
        message="EncryptionType NONE"))
    report = make_run(findings).report
    assert sorted((d["control"], d["declared"]["layer"], d["resource"]["urn"]) for d in report["drift"]["items"]) == [
        ("ENC-01", "preview", STREAM), ("ENC-01", "static", STREAM)]


def test_declared_failure_that_passes_live_is_drift_too(make_run):
    findings = baseline_findings()
    findings["preview"][2] = dataclasses.replace(findings["preview"][2], status="fail")
    report = make_run(findings).report
    [drift] = report["drift"]["items"]
    assert (drift["control"], drift["declared"]["status"], drift["live"]["status"]) == ("ENC-05", "fail", "pass")
    assert drift["resource"]["urn"] == BUCKET


def test_markup_named_log_group_is_matched_and_escaped(make_run):
    findings = _with_live(baseline_findings(), 3, live(
        "RET-04", "fail", LIVE_LOG_GROUP_ARN, MARKUP_NAME, "AWS::Logs::LogGroup", message="retention 7 days"))
    run = make_run(findings)
    items = run.report["drift"]["items"]
    assert [(d["declared"]["layer"], d["resource"]["urn"]) for d in items] == [("preview", LOG_GROUP),
                                                                                ("static", LOG_GROUP)]
    html = run.text("index.html")
    assert "<script>window.__pwned" not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html


def test_without_a_graph_drift_is_not_evaluated_and_the_report_says_why(make_run):
    run = make_run(graph=False)
    assert run.exit_code == EXIT_OK
    assert run.report["drift"]["evaluated"] is False
    assert "no resource graph" in run.report["drift"]["reason"]
    assert "Drift was not evaluated: no resource graph" in run.text("index.html")


def test_identities_of_arns_and_aliases():
    assert {"key/abc", "abc"} <= identities_of("arn:aws:kms:sa-east-1:1:key/abc")
    assert "raw-archive-dev" in identities_of(LIVE_BUCKET_ARN)
    assert "/aws/lambda/processor-dev" in identities_of("arn:aws:logs:r:1:log-group:/aws/lambda/processor-dev:*")
    assert "kinesis-telemetry-dev" in identities_of("alias/kinesis-telemetry-dev")


def test_a_name_shared_by_two_resources_prefers_the_exact_match():
    data = graph_data()
    twin = dict(data["resources"][3], urn=BUCKET + "-twin", name="raw-twin",
                inputs={"bucket": "archive/raw-archive-dev"})
    data["resources"].append(twin)
    index = ResourceIndex(validate_graph(data))
    assert index.urns_for({"id": LIVE_BUCKET_ARN, "name": "raw-archive-dev"}) == {BUCKET}
    assert index.urns_for({"id": "arn:aws:s3:::unrelated", "name": "unrelated"}) == set()


def test_compliant_live_layer_alone_is_not_drift(make_run):
    findings = baseline_findings()
    del findings["preview"], findings["static"]
    run = make_run(findings, extra_args=["--expect", "live"])
    assert run.exit_code == EXIT_OK
    assert run.report["drift"]["evaluated"] is False


def test_nested_stack_outputs_tie_a_deployed_key_arn_to_its_key():
    data = graph_data()
    data["outputs"] = {"kmsKeyArns": {"kinesis": "arn:aws:kms:sa-east-1:123456789012:key/kinesis"}}
    index = ResourceIndex(validate_graph(data), {"kmsKeyArns": {"kinesis": LIVE_KEY_ARN}})
    live_key = {"id": LIVE_KEY_ARN, "name": LIVE_KEY_ARN.rsplit("/", 1)[1], "type": "aws:kms/key:Key"}
    assert index.urns_for(live_key) == {KEY}
    assert ResourceIndex(validate_graph(data)).urns_for(live_key) == set()  # without outputs: no match


def test_same_type_wins_when_a_bucket_name_is_also_an_input_of_its_settings():
    data = graph_data()
    versioning = dict(data["resources"][3], urn=BUCKET.replace("aws:s3/bucket:Bucket", "aws:s3/bucketVersioningV2:"
                                                               "BucketVersioningV2") + "-versioning",
                      type="aws:s3/bucketVersioningV2:BucketVersioningV2", name="raw-versioning",
                      inputs={"bucket": "raw-archive-dev"})
    data["resources"].append(versioning)
    index = ResourceIndex(validate_graph(data))
    ref = {"id": LIVE_BUCKET_ARN, "name": "raw-archive-dev"}
    assert index.urns_for(ref) == {BUCKET, versioning["urn"]}
    assert index.urns_for({**ref, "type": "aws:s3/bucket:Bucket"}) == {BUCKET}


def _finding(layer, control, status, resource_id, name, type_, check):
    return {"id": f"{layer}-{check}-{name}", "layer": layer, "control": control, "originalStatus": status,
            "resource": {"id": resource_id, "name": name, "type": type_}, "message": f"{check} {status}",
            "evidence": {}, "check": check}


def test_a_passing_sibling_check_is_not_drift():
    """The static verdict on a control and resource combines its checks: one fail is the verdict."""
    index = ResourceIndex(validate_graph(graph_data()))
    findings = [_finding("static", "ENC-05", "fail", BUCKET, "raw", "aws:s3/bucket:Bucket", "CKV_IOT_16"),
                _finding("static", "ENC-05", "pass", BUCKET, "raw", "aws:s3/bucket:Bucket", "CKV_AWS_19"),
                _finding("live", "ENC-05", "fail", LIVE_BUCKET_ARN, "raw-archive-dev", "aws:s3/bucket:Bucket",
                         "enc-05-live")]
    assert find_drift(findings, index) == []
    assert not any(f.get("drift") for f in findings)
    findings[0]["originalStatus"] = "pass"  # every declared check passes, the account fails: one drift
    [drift] = find_drift(findings, index)
    assert (drift["declared"]["layer"], drift["declared"]["status"], drift["live"]["status"]) == ("static", "pass",
                                                                                                 "fail")


def test_a_rules_declared_failure_counts_on_its_group():
    """NET-01 is judged live on the group: a rule that the pack fails makes the group's declared verdict fail."""
    data = graph_data()
    group = "urn:pulumi:dev::iot-sensor-platform::aws:ec2/securityGroup:SecurityGroup::redis"
    rule = "urn:pulumi:dev::iot-sensor-platform::aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule::world"
    data["resources"] += [
        {**data["resources"][3], "urn": group, "type": "aws:ec2/securityGroup:SecurityGroup", "name": "redis",
         "inputs": {"name": "secgroup-redis-dev"}, "propertyDependencies": {}, "dependencies": []},
        {**data["resources"][3], "urn": rule, "type": "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
         "name": "world", "inputs": {"cidrIpv6": "::0/0", "securityGroupId": "sg-1"},
         "propertyDependencies": {"securityGroupId": [group]}, "dependencies": [group]},
    ]
    index = ResourceIndex(validate_graph(data))
    live_group = ("arn:aws:ec2:sa-east-1:123456789012:security-group/sg-1", "secgroup-redis-dev",
                  "aws:ec2/securityGroup:SecurityGroup")
    findings = [_finding("preview", "NET-01", "pass", group, "redis", "aws:ec2/securityGroup:SecurityGroup", "p"),
                _finding("preview", "NET-01", "fail", rule, "world", "aws:vpc/...", "p"),
                _finding("live", "NET-01", "pass", *live_group, "net-01-live")]
    [drift] = find_drift(findings, index)
    assert drift["resource"]["urn"] == group
    assert (drift["declared"]["status"], drift["declared"]["findingId"], drift["live"]["status"]) == (
        "fail", "preview-p-world", "pass")
