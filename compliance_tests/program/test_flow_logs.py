"""LOG-03 on the rendered graphs: every VPC's traffic to a CMK-encrypted log group kept >= 30 days (IEC 62443-3-3 SR 6.2)."""

from __future__ import annotations

import fnmatch

import pytest

from compliance.render.synthetic import MOCK_ACCOUNT_ID
from compliance_tests.program.graph_helpers import as_list, depends_on, of_type, one, policy, statements

VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"


def flow_log_of(graph, vpc):
    logs = [f for f in of_type(graph, FLOW_LOG) if vpc["urn"] in f["propertyDependencies"].get("vpcId", [])]
    assert len(logs) == 1, f"{vpc['urn']} has {len(logs)} flow logs"
    return logs[0]


@pytest.mark.parametrize("stack", ["dev", "apac"])
def test_every_vpc_logs_all_its_traffic_to_cloudwatch(stack, dev_graph, apac_graph):
    graph = {"dev": dev_graph, "apac": apac_graph}[stack]
    for vpc in of_type(graph, VPC):
        inputs = flow_log_of(graph, vpc)["inputs"]
        assert inputs["trafficType"] == "ALL"
        assert inputs["logDestinationType"] == "cloud-watch-logs"
        assert inputs["maxAggregationInterval"] == 600


def test_the_flow_log_group_is_kept_30_days_under_the_logs_key(dev_graph, key_arns):
    flow_log = flow_log_of(dev_graph, one(dev_graph, VPC))
    [group] = depends_on(dev_graph, flow_log, "logDestination", LOG_GROUP)
    assert group["inputs"]["name"] == "/aws/vpc/flowlogs-network-dev"
    assert group["inputs"]["retentionInDays"] >= 30
    assert group["inputs"]["kmsKeyId"] == key_arns["logs"]


def test_only_this_accounts_flow_logs_may_assume_the_delivery_role(dev_graph):
    flow_log = flow_log_of(dev_graph, one(dev_graph, VPC))
    [role] = depends_on(dev_graph, flow_log, "iamRoleArn", ROLE)
    [trust] = statements(policy(role, "assumeRolePolicy"))
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"} and trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": MOCK_ACCOUNT_ID},
        "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:sa-east-1:{MOCK_ACCOUNT_ID}:vpc-flow-log/*"},
    }


def test_the_delivery_role_writes_to_its_group_only(dev_graph):
    """IAM-01: the four calls flow-log delivery makes, on the group (and, to find it, the account's groups)."""
    flow_log = flow_log_of(dev_graph, one(dev_graph, VPC))
    [role] = depends_on(dev_graph, flow_log, "iamRoleArn", ROLE)
    [group] = depends_on(dev_graph, flow_log, "logDestination", LOG_GROUP)
    [role_policy] = [p for p in of_type(dev_graph, "aws:iam/rolePolicy:RolePolicy")
                     if depends_on(dev_graph, p, "role", ROLE) == [role]]
    assert set(role_policy["propertyDependencies"]["policy"]) == {group["urn"]}
    grants = {}
    for stmt in statements(policy(role_policy)):
        assert stmt["Effect"] == "Allow"
        for action in as_list(stmt["Action"]):
            grants.setdefault(action, set()).update(as_list(stmt["Resource"]))
    group_arn = min(grants["logs:PutLogEvents"], key=len)  # the group's ARN, as the render's mocks make it
    assert group_arn.endswith(group["inputs"]["name"])
    assert grants == {
        "logs:CreateLogStream": {group_arn, f"{group_arn}:log-stream:*"},
        "logs:PutLogEvents": {group_arn, f"{group_arn}:log-stream:*"},
        "logs:DescribeLogStreams": {group_arn, f"{group_arn}:log-stream:*"},
        "logs:DescribeLogGroups": {f"arn:aws:logs:sa-east-1:{MOCK_ACCOUNT_ID}:log-group:*"},
    }
    assert role_policy["urn"] in flow_log["dependencies"], "the flow log must wait for its role's grants"


def test_the_logs_key_lets_cloudwatch_logs_encrypt_the_flow_log_group(dev_graph):
    """The key already admits CloudWatch Logs for every group of the account and region; that covers this one.

    The delivery role itself needs no KMS grant: CloudWatch Logs encrypts what it receives.
    """
    [key] = [k for k in of_type(dev_graph, "aws:kms/key:Key") if k["name"] == "logs"]
    group_arn = f"arn:aws:logs:sa-east-1:{MOCK_ACCOUNT_ID}:log-group:/aws/vpc/flowlogs-network-dev"
    [admits] = [s for s in statements(policy(key)) if s.get("Principal") == {"Service": "logs.sa-east-1.amazonaws.com"}]
    assert {"kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"} <= set(admits["Action"])
    pattern = admits["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    assert fnmatch.fnmatchcase(group_arn, pattern), pattern
