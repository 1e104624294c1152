"""The auditor's tests: a stack of its own deployed into the session's sandbox (the tests break it), Security
Hub enabled there, and the handler imported as Lambda does."""

from __future__ import annotations

import pytest

from compliance_tests.auditor import support
from compliance_tests.environment import environment

SUFFIX = "aud"


@pytest.fixture(scope="package")
def stack(sandbox_stack_factory):
    deployed = sandbox_stack_factory(SUFFIX)
    deployed.client("securityhub").enable_security_hub(EnableDefaultStandards=False)
    support.detach_queue_mapping(deployed)
    return deployed


@pytest.fixture(scope="package")
def evidence_bucket(stack):
    """The auditor's evidence bucket, its TLS-only policy lifted: the sandbox serves plain HTTP, where that policy
    refuses every object call (as AWS would over HTTP), and this stack is the auditor tests' own."""
    name = stack.outputs.get("evidenceBucketName")
    assert name, "the stack exports evidenceBucketName (the ComplianceAuditor component)"
    s3 = stack.client("s3")
    assert "aws:SecureTransport" in s3.get_bucket_policy(Bucket=name)["Policy"]
    s3.delete_bucket_policy(Bucket=name)
    return name


@pytest.fixture(scope="package")
def handler(stack, evidence_bucket):
    env = support.auditor_environment(stack.endpoint, stack.region, SUFFIX, evidence_bucket)
    with environment(env):
        yield support.import_handler()


@pytest.fixture
def invoke(handler, stack):
    def call(*bodies):
        return handler.lambda_handler(support.sqs_event(*bodies, region=stack.region), support.FakeLambdaContext())

    return call
