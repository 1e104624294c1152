"""RET-04's retention values: what AWS accepts, what moto accepts, and the sandbox refusing as AWS does.

moto stores any ``retentionInDays``; AWS answers InvalidParameterException for a
number it does not offer (29 days, say). The sandbox's log-group handler refuses
such a value with AWS's answer (``refusal``); the cases with such values are
preview/static only (``not_live``).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import boto3
import botocore
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

from compliance.sandbox.clients import DUMMY_CREDENTIALS, SandboxClients
from compliance.sandbox.handlers.audit_logging import log_group
from compliance.sandbox.registry import Context, Deployment, Inputs
from controls import ret_04

REGION = "sa-east-1"


def _logs_model() -> dict:
    path = Path(botocore.__file__).parent / "data" / "logs" / "2014-03-28" / "service-2.json.gz"
    return json.loads(gzip.decompress(path.read_bytes()))


def test_the_accepted_days_are_the_ones_aws_documents():
    """botocore's model of CloudWatch Logs documents the values PutRetentionPolicy takes, and its error for others."""
    model = _logs_model()
    documented = model["shapes"]["Days"]["documentation"].split("Possible values are: ", 1)[1].split(".", 1)[0]
    assert tuple(int(d) for d in documented.replace("and ", "").split(", ")) == ret_04.ACCEPTED_DAYS
    assert {"shape": "InvalidParameterException"} in model["operations"]["PutRetentionPolicy"]["errors"]


def _context(endpoint: str) -> Context:
    clients = SandboxClients(endpoint, REGION)
    return Context(Deployment(clients, "123456789012"), "aws:cloudwatch/logGroup:LogGroup", "group", REGION)


def test_aws_refuses_29_days_and_the_sandbox_answers_the_same(sandbox_server):
    client = boto3.client("logs", region_name=REGION, **DUMMY_CREDENTIALS)
    with Stubber(client) as aws:
        aws.add_client_error("put_retention_policy", service_error_code="InvalidParameterException",
                             http_status_code=400, expected_params={"logGroupName": "g", "retentionInDays": 29})
        with pytest.raises(ClientError) as answered:
            client.put_retention_policy(logGroupName="g", retentionInDays=29)
    with pytest.raises(ClientError) as refused:
        log_group(_context(sandbox_server.endpoint),
                  Inputs({"name": "/retlog/loggroup-refused-test", "retentionInDays": 29.0}))
    assert (refused.value.operation_name, refused.value.response["Error"]["Code"]) == (
        answered.value.operation_name, answered.value.response["Error"]["Code"]) == (
        "PutRetentionPolicy", "InvalidParameterException")
    groups = boto3.client("logs", region_name=REGION, endpoint_url=sandbox_server.endpoint, **DUMMY_CREDENTIALS)
    assert groups.describe_log_groups(logGroupNamePrefix="/retlog/loggroup-refused-test")["logGroups"] == []


def test_moto_accepts_29_days_so_the_sandbox_must_refuse_them_itself(sandbox_server):
    logs = boto3.client("logs", region_name=REGION, endpoint_url=sandbox_server.endpoint, **DUMMY_CREDENTIALS)
    logs.create_log_group(logGroupName="/retlog/loggroup-moto-test")
    logs.put_retention_policy(logGroupName="/retlog/loggroup-moto-test", retentionInDays=29)
    [group] = logs.describe_log_groups(logGroupNamePrefix="/retlog/loggroup-moto-test")["logGroups"]
    assert group["retentionInDays"] == 29  # when moto refuses it too, the sandbox's own refusal can go


@pytest.mark.parametrize(("days", "kept"), [(0.0, None), (30.0, 30), (3653.0, 3653)])
def test_the_sandbox_sets_what_the_provider_would(sandbox_server, days, kept):
    """0 is the provider's "never expire": no retention policy at all."""
    name = f"/retlog/loggroup-days-{int(days)}-test"
    log_group(_context(sandbox_server.endpoint), Inputs({"name": name, "retentionInDays": days}))
    logs = boto3.client("logs", region_name=REGION, endpoint_url=sandbox_server.endpoint, **DUMMY_CREDENTIALS)
    [group] = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
    assert group.get("retentionInDays") == kept
