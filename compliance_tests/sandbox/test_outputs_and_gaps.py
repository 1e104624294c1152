"""outputs.json is what `pulumi stack output --json` would print, holds no secret value, and gaps.json sits beside it."""

from __future__ import annotations

import json

import pytest

from compliance.audit.gaps import API_PATTERN as API
from compliance.audit.gaps import load_gaps
from compliance.graph import Graph
from compliance.sandbox import GAPS_FILE, SandboxStack
from compliance.sandbox.handlers.processing import _logging_config_gap


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
    document = json.loads(deployed_dev.gaps_path.read_text())
    assert document["version"] == 2 and document["gaps"] == [gap.to_json() for gap in deployed_dev.gaps]
    gaps = document["gaps"]
    for gap in gaps:  # a call (and the fields of its answer) on one resource, never a control
        assert set(gap) - {"fields"} == {"resourceType", "name", "resource", "api", "reason"}
        assert gap["reason"] and API.match(gap["api"]) and gap["resource"]
    assert len(load_gaps([deployed_dev.gaps_path]).gaps) == len(gaps)  # the audit reads every entry
    calls = {(gap["name"], gap["api"], tuple(gap.get("fields", ()))): gap for gap in gaps}
    assert {gap["resourceType"] for gap in gaps if gap["api"] == "lambda:Invoke"} == {
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        "aws:lambda/invocation:Invocation",  # the schema migration: tested against a real PostgreSQL instead
        "aws:scheduler/schedule:Schedule",  # the auditor's scheduled audit: its handler is called in-process
    }
    proxy = deployed_dev.client("rds").describe_db_proxies(DBProxyName=deployed_dev.outputs["rdsProxyName"])
    [proxy] = proxy["DBProxies"]
    assert ("DefaultAuthScheme" in proxy) is not (  # end-to-end IAM, unreadable
        ("metrics", "rds:DescribeDBProxies", ("DefaultAuthScheme",)) in calls)
    assert proxy["RequireTLS"] is True
    lambda_ = deployed_dev.client("lambda")
    migrator = lambda_.get_function_configuration(FunctionName=deployed_dev.outputs["migratorFunctionName"])
    listed = {f["FunctionName"]: f for f in lambda_.list_functions()["Functions"]}
    assert ("DeadLetterConfig" in migrator) is not (("migrator", "lambda:ListFunctions", ("DeadLetterConfig",)) in calls)
    assert "DeadLetterConfig" not in listed[migrator["FunctionName"]]  # what the audit reads
    assert "017000801446" in calls[("processor", "lambda:ListFunctions", ("Layers",))]["reason"]  # AWS's Powertools
    function = lambda_.get_function_configuration(FunctionName=deployed_dev.outputs["processorFunctionName"])
    # The processor logs to Lambda's default group: moto's dropped LoggingConfig hides only the format.
    assert ("LoggingConfig" in function) is not (
        ("processor", "lambda:ListFunctions", ("LoggingConfig.LogFormat",)) in calls)
    tagged_iot = {gap["resource"] for gap in gaps if gap["api"] == "iot:ListTagsForResource"}
    iot_policy = deployed_dev.client("iot").get_policy(policyName=deployed_dev.outputs["iotPolicyName"])["policyArn"]
    assert iot_policy in tagged_iot


@pytest.mark.parametrize(("group", "fields"), [
    ("/aws/lambda/lambda-x-dev", ("LoggingConfig.LogFormat",)),
    ("/custom/loggroup-x-dev", ("LoggingConfig.LogFormat", "LoggingConfig.LogGroup")),
    (None, ("LoggingConfig.LogFormat",)),
])
def test_a_dropped_logging_config_hides_the_log_group_only_when_it_is_not_lambdas_default(group, fields):
    reason, recorded = _logging_config_gap("lambda-x-dev", {"logFormat": "JSON", "logGroup": group})
    assert recorded == fields and "moto drops LoggingConfig" in reason
