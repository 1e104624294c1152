"""The vendored bridge metadata: complete for the program, and right about maps and nested objects.

The installed pulumi-aws SDK serves as the oracle: its generated Args classes
name the nested object type of every input, and none for map inputs.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from compliance import REPO_ROOT
from compliance.errors import UsageError
from compliance.static.bridge import EXTRA_TYPES, extract_subset, load_bridge_names, singular
from compliance.static.convert import graph_to_plan, is_converted
from compliance.static.sdk_shapes import input_names, nested_types


def _common():
    path = REPO_ROOT / "policies" / "checkov" / "checks" / "iot_checks_common.py"
    spec = importlib.util.spec_from_file_location("iot_checks_common_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_program_type_has_a_terraform_type(program_graph, bridge):
    plan = graph_to_plan(program_graph, bridge)
    assert len(plan.resources) == sum(1 for r in program_graph.resources if is_converted(r))


def test_maps_and_nested_objects_agree_with_the_sdk(program_graph, bridge):
    """Every dict-valued input of the program: an object exactly where the SDK has a nested type."""
    checked = 0
    for token in sorted({r["type"] for r in program_graph.resources if is_converted(r)}):
        shapes = nested_types(token)
        for resource in program_graph.of_type(token):
            pending = [(token, resource["inputs"])]
            while pending:
                parent, inputs = pending.pop()
                for name, value in inputs.items():
                    items = value if isinstance(value, list) else [value]
                    if not any(isinstance(item, dict) for item in items):
                        continue
                    sdk = shapes.get(parent, {}).get(name)
                    ours = bridge.nested_type(parent, name)
                    assert ours == (sdk.token if sdk else None), f"{resource['urn']} input {name}"
                    checked += 1
                    if ours:
                        pending += [(ours, item) for item in items if isinstance(item, dict)]
    assert checked > 50


def test_taggable_types_of_the_checks_match_the_sdk(bridge):
    """GOV-03's list of taggable types = the vendored types whose SDK resource takes tags."""
    taggable = {tf for token, tf in bridge.resources.items() if "tags" in input_names(token)}
    assert taggable == set(_common().TAGGABLE_TYPES) & set(bridge.resources.values())


def test_singular_undoes_the_bridge_plurals():
    assert [singular(n) for n in ("kineses", "republishes", "lambdas", "cloudwatchAlarms", "accessConfigs",
                                  "ingress", "sns", "sqs", "policies")] == [
        "kinesis", "republish", "lambda", "cloudwatchAlarm", "accessConfig", "ingress", "sns", "sqs", "policy"]


def test_extract_subset_keeps_what_the_types_need():
    full = {"renames": {
        "resources": {"aws:kinesis/stream:Stream": "aws_kinesis_stream", "aws:sqs/queue:Queue": "aws_sqs_queue"},
        "renamedProperties": {
            "aws:kinesis/stream:Stream": {"kmsKeyId": "kms_key_id"},
            "aws:kinesis/StreamStreamModeDetails:StreamStreamModeDetails": {"streamMode": "stream_mode"},
            "aws:sqs/queue:Queue": {"kmsMasterKeyId": "kms_master_key_id"},
        }}}
    subset = extract_subset(full, {"aws:kinesis/stream:Stream"}, {"version": "test"})
    assert subset["resources"] == {"aws:kinesis/stream:Stream": "aws_kinesis_stream"}
    assert set(subset["renamedProperties"]) == {"aws:kinesis/stream:Stream",
                                               "aws:kinesis/StreamStreamModeDetails:StreamStreamModeDetails"}
    assert subset["nestedTypes"]["aws:kinesis/stream:Stream"]["streamModeDetails"] == \
        "aws:kinesis/StreamStreamModeDetails:StreamStreamModeDetails"
    with pytest.raises(UsageError, match="aws:iot/thing:Thing"):
        extract_subset(full, {"aws:iot/thing:Thing"}, {})


def test_vendored_metadata_names_its_source_and_the_extra_types(bridge):
    assert bridge.source.get("repository") == "pulumi/pulumi-aws" and bridge.source.get("commit")
    assert set(bridge.resources) >= EXTRA_TYPES


def test_broken_metadata_is_a_usage_error(tmp_path: Path):
    broken = tmp_path / "bridge.json"
    broken.write_text(json.dumps({"resources": {}}))
    with pytest.raises(UsageError, match="refresh"):
        load_bridge_names.__wrapped__(broken)


# Entries added by hand where the pinned version's metadata cannot be fetched (LOG-03, IAM-05), each read
# from the stored bridge-metadata.json at 07d08a0a (renames.resources, renames.renamedProperties); the
# vendored file's source.note names them.
HAND_CHECKED = {
    "aws:ec2/flowLog:FlowLog": ("aws_flow_log", {
        "vpcId": "vpc_id", "trafficType": "traffic_type", "logDestination": "log_destination",
        "logDestinationType": "log_destination_type", "iamRoleArn": "iam_role_arn",
        "maxAggregationInterval": "max_aggregation_interval", "eniId": "eni_id"}),
    "aws:lambda/permission:Permission": ("aws_lambda_permission", {
        "function": "function_name", "sourceArn": "source_arn", "statementId": "statement_id",
        "principalOrgId": "principal_org_id"}),
}


@pytest.mark.parametrize(("token", "tf_type", "renames"), [(t, *v) for t, v in HAND_CHECKED.items()])
def test_hand_checked_entries_name_their_terraform_twin(bridge, token, tf_type, renames):
    assert bridge.terraform_type(token) == tf_type
    assert {name: bridge.property_name(token, name) for name in renames} == renames
    assert token in bridge.source["note"] and "07d08a0a" in bridge.source["note"]
    shapes = nested_types(token)  # the SDK's nested types are vendored as for every other type
    assert bridge.nested.get(token, {}) == {name: n.token for name, n in shapes[token].items()}


def test_a_flow_log_and_a_permission_convert_with_their_edges(bridge):
    """What CKV2_AWS_11 (flow logs on every VPC) needs: the flow log's vpc_id referencing the VPC."""
    from compliance_tests.static.graphs import graph_of, resource, urn

    vpc, group = urn("aws:ec2/vpc:Vpc", "main"), urn("aws:cloudwatch/logGroup:LogGroup", "flow-logs")
    function = urn("aws:lambda/function:Function", "rotation")
    plan = graph_to_plan(graph_of(
        resource("aws:ec2/vpc:Vpc", "main", {"cidrBlock": "10.40.0.0/16"}),
        resource("aws:cloudwatch/logGroup:LogGroup", "flow-logs", {"name": "/aws/vpc/flowlogs-network-dev"}),
        resource("aws:lambda/function:Function", "rotation", {"name": "lambda-rotation-dev"}),
        resource("aws:ec2/flowLog:FlowLog", "main", {
            "vpcId": "main-id", "trafficType": "ALL", "logDestinationType": "cloud-watch-logs",
            "logDestination": "arn:aws:logs:sa-east-1:123456789012:log-group:/aws/vpc/flowlogs-network-dev",
            "maxAggregationInterval": 600.0}, deps={"vpcId": [vpc], "logDestination": [group]}),
        resource("aws:lambda/permission:Permission", "rotation", {
            "function": "lambda-rotation-dev", "principal": "secretsmanager.amazonaws.com",
            "action": "lambda:InvokeFunction"}, deps={"function": [function]}),
    ), bridge)
    entries = {e["address"]: e for e in plan.document["planned_values"]["root_module"]["resources"]}
    assert entries["aws_flow_log.main"]["values"] == {
        "traffic_type": "ALL", "log_destination_type": "cloud-watch-logs", "max_aggregation_interval": 600}
    assert entries["aws_lambda_permission.rotation"]["values"] == {
        "principal": "secretsmanager.amazonaws.com", "action": "lambda:InvokeFunction"}
    expressions = {e["address"]: e["expressions"] for e in plan.document["configuration"]["root_module"]["resources"]}
    assert expressions["aws_flow_log.main"]["vpc_id"] == {"references": ["aws_vpc.main.id", "aws_vpc.main"]}
    # The edge to the group is what checkov resolves (the converter names the attribute .id for inputs
    # without "arn" in their name; Terraform would write .arn here).
    assert expressions["aws_flow_log.main"]["log_destination"]["references"][1] == "aws_cloudwatch_log_group.flow_logs"
    assert expressions["aws_lambda_permission.rotation"]["function_name"] == {
        "references": ["aws_lambda_function.rotation.id", "aws_lambda_function.rotation"]}
