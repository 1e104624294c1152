"""ENC-09 live: a queue or function keyed by the ID or ARN of an AWS-managed key fails, as in the declaring layers.

The case table cannot express it: an AWS-managed key's ID differs per account and
the case program cannot look it up (its case ``enc-09-sqs-aws-managed-key-id`` is
a preview/static case). Here the test reads the ID from the sandbox
(``DescribeKey`` of the AWS alias creates AWS's key there, with its ``alias/aws/*``
alias), creates the resources with it and audits them, beside a queue on a
customer-managed key that must pass. moto 5.2.5 emulates the AWS-managed keys of
some services only (``aws/lambda`` among them, ``aws/sqs`` not): the queue is keyed
by ``aws/lambda``'s key, which is AWS-managed all the same.
"""

from __future__ import annotations

import io
import zipfile

import boto3
import pytest

from compliance.audit.aws import RetryPolicy
from compliance.audit.runner import AuditRequest, run_audit
from compliance.audit.scope import Scope
from compliance.sandbox.clients import DUMMY_CREDENTIALS

SUFFIX, REGION = "encawskey", "eu-west-1"


@pytest.fixture(scope="module")
def audited(sandbox_server):
    session = boto3.Session(**DUMMY_CREDENTIALS, region_name=REGION)
    client = lambda service: session.client(service, endpoint_url=sandbox_server.endpoint)  # noqa: E731
    kms, sqs = client("kms"), client("sqs")
    aws_key = kms.describe_key(KeyId="alias/aws/lambda")["KeyMetadata"]
    customer_key = kms.create_key(Description="ENC-09 test: a customer-managed key")["KeyMetadata"]
    tags = {"Environment": SUFFIX}
    for purpose, key in (("awskeyid", aws_key["KeyId"]), ("awskeyarn", aws_key["Arn"]),
                         ("customerkeyid", customer_key["KeyId"])):
        sqs.create_queue(QueueName=f"sqs-{purpose}-{SUFFIX}", tags=tags, Attributes={"KmsMasterKeyId": key})
    role = client("iam").create_role(RoleName=f"role-encawskey-{SUFFIX}", AssumeRolePolicyDocument=(
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": '
        '"lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'))["Role"]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("handler.py", "def handler(event, context):\n    return None\n")
    client("lambda").create_function(
        FunctionName=f"lambda-awskey-{SUFFIX}", Role=role, Runtime="python3.11", Handler="handler.handler",
        Code={"ZipFile": archive.getvalue()}, Environment={"Variables": {"STAGE": "test"}},
        KMSKeyArn=aws_key["Arn"], Tags=tags)
    result = run_audit(session, AuditRequest(regions=(REGION,), scope=Scope(SUFFIX),
                                             endpoint_url=sandbox_server.endpoint, retry=RetryPolicy(max_attempts=2)))
    findings = {f.resource.name: f for f in result.findings if f.control == "ENC-09"}
    return findings, aws_key


@pytest.mark.parametrize("name", [f"sqs-awskeyid-{SUFFIX}", f"sqs-awskeyarn-{SUFFIX}", f"lambda-awskey-{SUFFIX}"])
def test_a_key_aws_manages_fails_whatever_it_is_named_by(audited, name):
    findings, aws_key = audited
    finding = findings[name]
    assert finding.status == "fail", finding
    assert "an AWS-managed key" in finding.message
    assert finding.evidence["kms:ListAliases"] == {"AliasName": "alias/aws/lambda"}
    assert finding.evidence["kms:DescribeKey"]["Arn"] == aws_key["Arn"]


def test_a_customer_managed_key_named_by_its_id_passes(audited):
    findings, _ = audited
    assert findings[f"sqs-customerkeyid-{SUFFIX}"].status == "pass", findings[f"sqs-customerkeyid-{SUFFIX}"]
