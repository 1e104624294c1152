"""LOG-02's invokers, which the case table cannot hold yet: who may invoke a function, and whether asynchronously.

A grant of ``lambda:InvokeFunction`` is an ``aws:lambda/permission:Permission`` in
the program and a statement of the function's resource policy in the account; the
static converter and the sandbox learn that type with the Redis AUTH rotation
(IAM-05). Until then the pack is tested over gRPC on the platform with a
permission added, the audit on functions made with boto3 in the sandbox.
"""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pytest

from compliance.audit.aws import RetryPolicy
from compliance.audit.runner import AuditRequest, run_audit
from compliance.audit.scope import Scope
from compliance.catalog import load_catalog
from compliance.sandbox.clients import DUMMY_CREDENTIALS
from compliance_tests.gate.harness import finding, run
from compliance_tests.policies.cases import add
from compliance_tests.policies.platform import platform, platform_graph
from controls import log_02
from controls.values import MISSING, UNKNOWN
from rules import types as t

REGION, SUFFIX = "sa-east-1", "retlogx"


def function(*invokers: log_02.Invoker, dead_letter=MISSING, on_failure=MISSING) -> log_02.Function:
    return log_02.Function("f", "/aws/lambda/f", (log_02.LogGroup("logs", 30),), dead_letter, on_failure, (),
                           tuple(invokers))


def grant(principal, action="lambda:InvokeFunction") -> log_02.Invoker:
    return log_02.Invoker("grant", principal, action)


@pytest.mark.parametrize(("facts", "status"), [
    (function(), "pass"),  # nothing may invoke it but its own account's IAM principals
    (function(grant("secretsmanager.amazonaws.com")), "pass"),  # a rotation function: synchronous
    (function(grant("apigateway.amazonaws.com"), grant("elasticloadbalancing.amazonaws.com")), "pass"),
    (function(grant("s3.amazonaws.com", "lambda:InvokeFunctionUrl")), "pass"),  # not an invoke grant
    (function(grant("s3.amazonaws.com")), "fail"),
    (function(grant("events.amazonaws.com", "lambda:*")), "fail"),
    (function(grant("arn:aws:iam::210987654321:root")), "fail"),  # another account may invoke it any way
    (function(grant("bedrock.amazonaws.com")), "fail"),  # not documented as synchronous: fail closed
    (function(grant("s3.amazonaws.com"), dead_letter="arn:aws:sqs:r:1:dlq"), "pass"),
    (function(grant("sns.amazonaws.com"), on_failure="arn:aws:sqs:r:1:dlq"), "pass"),
    (function(grant(UNKNOWN)), "unknown"),
])
def test_a_destination_is_required_where_something_invokes_asynchronously(facts, status):
    assert log_02.decide(facts, 10).status == status


def test_the_asynchronous_invoker_is_named_in_the_message():
    assert "by 's3.amazonaws.com'" in log_02.decide(function(grant("s3.amazonaws.com")), 10).message


def test_a_mapping_whose_source_is_not_known_yet_is_undecided():
    unknown = log_02.Mapping("mapping 'm'", UNKNOWN, "arn:aws:sqs:r:1:dlq", 3, True)
    assert log_02.decide_mapping(unknown, 10).status == "unknown"
    queue = log_02.Mapping("mapping 'm'", "arn:aws:sqs:r:1:q", MISSING, MISSING, MISSING)
    assert log_02.decide_mapping(queue, 10).status == "not_applicable"


def _permitted(principal: str):
    return add("invoker", t.LAMBDA_PERMISSION, "processor-invoker", {
        "function": "lambda-processor-dev", "action": "lambda:InvokeFunction", "principal": principal},
        deps={"function": ["function"]})


def test_the_pack_passes_a_function_only_a_synchronous_service_may_invoke():
    resources = platform()
    _permitted("secretsmanager.amazonaws.com")(resources)
    assert finding(run(platform_graph(resources)), "LOG-02", resources["function"]).status == "pass"


def test_the_pack_passes_an_asynchronous_invocation_with_an_on_failure_destination():
    resources = platform()
    _permitted("s3.amazonaws.com")(resources)
    add("invoke-config", t.LAMBDA_EVENT_INVOKE_CONFIG, "processor", {
        "functionName": "lambda-processor-dev", "destinationConfig": {"onFailure": {
            "destination": "arn:aws:sqs:sa-east-1:123456789012:sqs-processor-dlq-dev"}}},
        deps={"functionName": ["function"]})(resources)
    assert finding(run(platform_graph(resources)), "LOG-02", resources["function"]).status == "pass"


@pytest.fixture(scope="module")
def invoked_functions(sandbox_server):
    """Three functions in the sandbox: invoked by Secrets Manager, by S3, by S3 with an on-failure destination."""
    def client(service):
        return boto3.client(service, region_name=REGION, endpoint_url=sandbox_server.endpoint, **DUMMY_CREDENTIALS)

    role = client("iam").create_role(RoleName=f"role-invoked-{SUFFIX}", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                               "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    queue = client("sqs").create_queue(QueueName=f"sqs-invoked-{SUFFIX}")["QueueUrl"]
    queue_arn = client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("index.py", "def handler(event, context):\n    return None\n")
    lambda_, logs = client("lambda"), client("logs")
    names = {}
    for purpose, principal in (("rotation", "secretsmanager.amazonaws.com"), ("upload", "s3.amazonaws.com"),
                               ("kept", "s3.amazonaws.com")):
        name = names[purpose] = f"lambda-{purpose}-{SUFFIX}"
        lambda_.create_function(FunctionName=name, Role=role, Runtime="python3.11", Handler="index.handler",
                                Code={"ZipFile": code.getvalue()})
        logs.create_log_group(logGroupName=f"/aws/lambda/{name}")
        logs.put_retention_policy(logGroupName=f"/aws/lambda/{name}", retentionInDays=30)
        lambda_.add_permission(FunctionName=name, StatementId="invoke", Action="lambda:InvokeFunction",
                               Principal=principal)
    lambda_.put_function_event_invoke_config(FunctionName=names["kept"],
                                             DestinationConfig={"OnFailure": {"Destination": queue_arn}})
    return names


def test_the_audit_reads_the_invokers_from_the_resource_policy(sandbox_server, invoked_functions):
    request = AuditRequest(regions=(REGION,), scope=Scope(suffix=SUFFIX), endpoint_url=sandbox_server.endpoint,
                           retry=RetryPolicy(max_attempts=2))
    audit = run_audit(boto3.Session(**DUMMY_CREDENTIALS, region_name=REGION), request, load_catalog())
    verdicts = {f.resource.name: f for f in audit.findings if f.control == "LOG-02"}
    assert verdicts[invoked_functions["rotation"]].status == "pass"
    assert verdicts[invoked_functions["kept"]].status == "pass"
    upload = verdicts[invoked_functions["upload"]]
    assert upload.status == "fail" and "may be invoked asynchronously (by 's3.amazonaws.com')" in upload.message
    assert upload.evidence["lambda:GetPolicy"][0]["Principal"] == {"Service": "s3.amazonaws.com"}
