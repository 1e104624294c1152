"""outputs.json is what `pulumi stack output --json` would print, holds no secret value, and gaps.json sits beside it."""

from __future__ import annotations

import json

from compliance.graph import Graph
from compliance.sandbox import GAPS_FILE, SandboxStack


def test_outputs_file_has_exactly_the_programs_output_keys(deployed_dev: SandboxStack, rendered_dev: Graph):
    written = json.loads(deployed_dev.outputs_path.read_text())
    assert sorted(written) == sorted(rendered_dev.data["outputs"])
    assert written == deployed_dev.outputs


def test_outputs_carry_the_sandboxs_real_identifiers(deployed_dev: SandboxStack):
    outputs = deployed_dev.outputs
    assert outputs["environmentSuffix"] == "dev"
    assert outputs["vpcId"].startswith("vpc-")
    assert all(subnet.startswith("subnet-") for subnet in outputs["privateSubnetIds"])
    assert outputs["auroraClusterEndpoint"].endswith(".rds.amazonaws.com")
    assert outputs["auroraMasterSecretArn"].startswith(f"arn:aws:secretsmanager:{deployed_dev.region}:")


def test_no_secret_value_reaches_outputs_or_gaps(deployed_dev: SandboxStack):
    secretsmanager = deployed_dev.client("secretsmanager")
    secrets = [secretsmanager.get_secret_value(SecretId=deployed_dev.outputs[key])["SecretString"]
               for key in ("redisAuthSecretArn", "auroraMasterSecretArn")]
    auth_token = secrets[0]
    master_password = json.loads(secrets[1])["password"]
    written = deployed_dev.outputs_path.read_text() + deployed_dev.gaps_path.read_text()
    assert len(auth_token) >= 16 and auth_token not in written
    assert master_password not in written


def test_gaps_file_lists_what_moto_cannot_emulate_with_a_reason(deployed_dev: SandboxStack):
    assert deployed_dev.gaps_path == deployed_dev.outputs_path.with_name(GAPS_FILE)
    gaps = json.loads(deployed_dev.gaps_path.read_text())
    assert gaps == [gap.to_json() for gap in deployed_dev.gaps]
    for gap in gaps:
        assert set(gap) - {"control"} == {"resourceType", "name", "resource", "api", "reason"}
        assert gap["reason"] and ":" in gap["api"]
    by_api = {gap["api"]: gap for gap in gaps}
    assert {gap["resourceType"] for gap in gaps if gap["api"] == "lambda:Invoke"} == {
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        "aws:lambda/invocation:Invocation",  # the schema migration: tested against a real PostgreSQL instead
    }
    proxy = deployed_dev.client("rds").describe_db_proxies(DBProxyName=deployed_dev.outputs["rdsProxyName"])
    [proxy] = proxy["DBProxies"]
    assert ("DefaultAuthScheme" in proxy) is not ("rds:DescribeDBProxies" in by_api)  # end-to-end IAM, unreadable
    assert proxy["RequireTLS"] is True
    migrator = deployed_dev.client("lambda").get_function_configuration(
        FunctionName=deployed_dev.outputs["migratorFunctionName"])
    assert ("DeadLetterConfig" in migrator) is not ("lambda:ListFunctions" in by_api)
    assert "017000801446" in by_api["lambda:CreateFunction"]["reason"]  # AWS's public Powertools layer
    function = deployed_dev.client("lambda").get_function_configuration(
        FunctionName=deployed_dev.outputs["processorFunctionName"])
    assert ("LoggingConfig" in function) is not ("lambda:GetFunctionConfiguration" in by_api)
    tagged_iot = {gap["resource"] for gap in gaps if gap["api"] == "iot:ListTagsForResource"}
    iot_policy = deployed_dev.client("iot").get_policy(policyName=deployed_dev.outputs["iotPolicyName"])["policyArn"]
    assert iot_policy in tagged_iot
