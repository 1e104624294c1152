"""IAM-05 and LOG-03 in the sandbox: what is deployed, what is recorded as a gap, and that each gap is still real.

The dev stack deploys its rotation resources (function, invoke permission,
rotation schedule) and its VPC flow log into moto. moto cannot run the
rotation: the sandbox records it as a gap on DescribeSecret (the answer that
cannot show a rotation that never ran), and the tests below
show the two moto limitations the gap names on a sandbox of their own (so
the shared one stays as deployed). When moto lifts one, its test fails: drop
or narrow the gap then.
"""

from __future__ import annotations

import io
import json
import secrets
import zipfile

import pytest

from compliance.graph import Graph
from compliance.sandbox import SandboxStack
from compliance.sandbox.clients import SandboxClients
from compliance.sandbox.server import start_server

ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"


def gaps_of(stack: SandboxStack, resource_type: str) -> list[dict]:
    return [g for g in json.loads(stack.gaps_path.read_text())["gaps"] if g["resourceType"] == resource_type]


def test_the_rotation_resources_are_deployed(deployed_dev: SandboxStack):
    deployed = {(r["type"], r["name"]) for r in deployed_dev.resources}
    assert {(ROTATION, "redis-auth"), ("aws:lambda/permission:Permission", "redis-auth-rotation"),
            ("aws:lambda/function:Function", "redis-auth-rotation")} <= deployed


def test_the_rotation_is_reported_as_a_gap_on_the_call_that_shows_it(deployed_dev: SandboxStack):
    """IAM-05's rotation, as the Secrets Manager answer that cannot show it: DescribeSecret of the AUTH secret has the
    schedule, no RotationLambdaARN, and a LastRotatedDate for a rotation no function ran (moto could not run one)."""
    secret = deployed_dev.outputs["redisAuthSecretArn"]
    [gap] = gaps_of(deployed_dev, ROTATION)
    assert (gap["api"], gap["resource"], gap["name"], gap["fields"]) == (
        "secretsmanager:DescribeSecret", secret, "redis-auth", ["RotationLambdaARN", "LastRotatedDate"])
    assert "control" not in gap
    assert "lambda-redis-auth-rotation-dev" in gap["reason"]
    assert "Docker" in gap["reason"] and "ModifyReplicationGroup ignores AuthToken" in gap["reason"]
    described = deployed_dev.client("secretsmanager").describe_secret(SecretId=secret)
    assert described["RotationEnabled"] is True  # the schedule is there; the function is not, and moto dates a
    assert not described.get("RotationLambdaARN") and "LastRotatedDate" in described  # "rotation" no function ran


def test_the_schedule_is_set_and_the_deployed_token_still_reads(deployed_dev: SandboxStack):
    secretsmanager = deployed_dev.client("secretsmanager")
    secret = secretsmanager.describe_secret(SecretId=deployed_dev.outputs["redisAuthSecretArn"])
    assert secret["RotationEnabled"] is True and secret["RotationRules"]["AutomaticallyAfterDays"] == 30
    assert not [v for v, stages in secret["VersionIdsToStages"].items() if "AWSPENDING" in stages]
    token = secretsmanager.get_secret_value(SecretId=secret["ARN"])["SecretString"]  # as the processor reads it
    assert 16 <= len(token) <= 128


def test_only_secrets_manager_may_invoke_the_function_for_this_secret(deployed_dev: SandboxStack):
    outputs = deployed_dev.outputs
    policy = json.loads(deployed_dev.client("lambda").get_policy(
        FunctionName=outputs["redisAuthRotationFunctionName"])["Policy"])
    [statement] = policy["Statement"]
    assert statement["Principal"] == {"Service": "secretsmanager.amazonaws.com"}
    assert statement["Action"] == "lambda:InvokeFunction"
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"] == outputs["redisAuthSecretArn"]


def test_the_rotation_function_is_configured_as_declared(deployed_dev: SandboxStack, rendered_dev: Graph):
    outputs = deployed_dev.outputs
    function = deployed_dev.client("lambda").get_function_configuration(
        FunctionName=outputs["redisAuthRotationFunctionName"])
    [declared] = [r["inputs"] for r in rendered_dev.of_type("aws:lambda/function:Function")
                  if r["name"] == "redis-auth-rotation"]
    assert (function["Runtime"], function["Timeout"]) == (declared["runtime"], declared["timeout"])
    assert function["KMSKeyArn"] == outputs["kmsKeyArns"]["lambda"]
    assert set(function["VpcConfig"]["SubnetIds"]) == set(outputs["privateSubnetIds"])
    assert function["VpcConfig"]["SecurityGroupIds"] == [outputs["securityGroupIds"]["redis-rotation"]]
    variables = function["Environment"]["Variables"]
    assert variables["REPLICATION_GROUP_ID"] == outputs["redisReplicationGroupId"]
    assert variables["REDIS_HOST"] == outputs["redisPrimaryEndpoint"]


def test_the_vpc_flow_log_is_deployed_as_declared(deployed_dev: SandboxStack):
    outputs = deployed_dev.outputs
    [flow_log] = deployed_dev.client("ec2").describe_flow_logs(
        Filters=[{"Name": "resource-id", "Values": [outputs["vpcId"]]}])["FlowLogs"]
    assert flow_log["TrafficType"] == "ALL" and flow_log["LogDestinationType"] == "cloud-watch-logs"
    group = "/aws/vpc/flowlogs-network-dev"
    assert flow_log["LogDestination"] == f"arn:aws:logs:sa-east-1:{deployed_dev.account_id}:log-group:{group}"
    assert flow_log["DeliverLogsPermissionArn"].endswith(":role/role-network-flow-logs-dev")
    assert {t["Key"]: t["Value"] for t in flow_log["Tags"]}["Environment"] == "dev"
    assert group in outputs["logGroupNames"]
    [gap] = gaps_of(deployed_dev, "aws:ec2/flowLog:FlowLog")
    assert (gap["api"], gap["resource"], gap["fields"]) == (
        "ec2:DescribeFlowLogs", flow_log["FlowLogId"], ["DeliverLogsStatus"]) and "control" not in gap
    # The gap is real: moto reports a delivery failure AWS would not, for a group it looked up by name only.
    assert flow_log["DeliverLogsStatus"] == "FAILED" and "LogGroupName" not in flow_log


@pytest.fixture(scope="module")
def scratch() -> SandboxClients:
    """A sandbox of its own: the gap checks below leave a secret mid-rotation behind."""
    with start_server() as server:
        yield SandboxClients(server.endpoint, "sa-east-1")


def test_moto_cannot_run_a_rotation_function(scratch: SandboxClients):
    """Given a function, RotateSecret 'succeeds' but nothing ran: the pending version has no value."""
    role = scratch.client("iam").create_role(
        RoleName="gap-check", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def lambda_handler(event, context):\n    raise RuntimeError('ran')\n")
    function = scratch.client("lambda").create_function(
        FunctionName="gap-check", Role=role["Role"]["Arn"], Runtime="python3.11", Handler="handler.lambda_handler",
        Code={"ZipFile": code.getvalue()})
    secretsmanager = scratch.client("secretsmanager")
    secret = secretsmanager.create_secret(Name="gap-check", SecretString=secrets.token_hex(16))["ARN"]
    secretsmanager.rotate_secret(SecretId=secret, RotationLambdaARN=function["FunctionArn"],
                                 RotationRules={"AutomaticallyAfterDays": 30})
    stages = secretsmanager.describe_secret(SecretId=secret)["VersionIdsToStages"]
    [pending] = [v for v, labels in stages.items() if labels == ["AWSPENDING"]]
    with pytest.raises(secretsmanager.exceptions.ResourceNotFoundException):
        secretsmanager.get_secret_value(SecretId=secret, VersionId=pending, VersionStage="AWSPENDING")


def test_moto_ignores_an_auth_token_change(scratch: SandboxClients):
    """ModifyReplicationGroup with AuthToken/ROTATE: nothing pending, the token's change date unchanged."""
    elasticache = scratch.client("elasticache")
    created = elasticache.create_replication_group(
        ReplicationGroupId="gap-check", ReplicationGroupDescription="gap check", Engine="redis",
        CacheNodeType="cache.t4g.small", NumCacheClusters=1, TransitEncryptionEnabled=True,
        AuthToken=secrets.token_hex(16))["ReplicationGroup"]
    modified = elasticache.modify_replication_group(
        ReplicationGroupId="gap-check", AuthToken=secrets.token_hex(16), AuthTokenUpdateStrategy="ROTATE",
        ApplyImmediately=True)["ReplicationGroup"]
    assert not (modified.get("PendingModifiedValues") or {}).get("AuthTokenStatus")
    assert modified["AuthTokenLastModifiedDate"] == created["AuthTokenLastModifiedDate"]
