"""Fixtures of the live-audit tests: credentials for the boto3 chain, and a stack of our own to break.

The sandbox plugin (``compliance.sandbox.testing``) gives the session's moto
server and the read-only dev stack. Drift tests break resources of their own
stack (suffix ``auditdrift``), deployed once for this package, and revert
each drift after auditing it.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config

from compliance_tests.environment import environment

DRIFT_SUFFIX = "auditdrift"
TEST_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_EC2_METADATA_DISABLED": "true"}


@pytest.fixture(scope="package", autouse=True)
def credential_chain():
    """The audit reads credentials through boto3's standard chain: here, the environment."""
    with environment(TEST_CREDENTIALS, unset=("AWS_PROFILE", "AWS_SESSION_TOKEN")):
        yield


def stack_client(stack, service: str, region: str | None = None):
    """A client on the sandbox for tests that change it (one attempt: moto's HTTP 500s are not retried)."""
    return boto3.client(service, region_name=region or stack.region, endpoint_url=stack.endpoint,
                        aws_access_key_id="testing", aws_secret_access_key="testing",
                        config=Config(retries={"mode": "standard", "max_attempts": 1}))


def sandbox_defects(stack) -> dict[tuple[str, str], str]:
    """(control, resource name) -> why: what the sandbox deployed wrongly, found by looking, not assumed.

    The sandbox creates the Kinesis stream with CreateStream's Tags, which moto
    5.2.5 ignores (AWS applies them); until the sandbox adds them with
    AddTagsToStream the deployed stream is untagged, and the audit rightly says
    so under GOV-03.
    """
    defects = {}
    name = stack.outputs["streamName"]
    if not stack_client(stack, "kinesis").list_tags_for_stream(StreamName=name)["Tags"]:
        defects[("GOV-03", name)] = ("sandbox defect: the stream is deployed untagged (moto ignores CreateStream "
                                     "Tags; compliance/sandbox/handlers/ingestion.py should call AddTagsToStream)")
    return defects


@pytest.fixture(scope="package")
def drift_stack(sandbox_stack_factory):
    """A stack deployed for breaking, as AWS would hold it where moto falls short.

    moto creates no member clusters for a replication group (DescribeCacheClusters
    answers CacheClusterNotFound): the fixture creates the first member as a
    cache cluster in the group's subnet group and security group, so that on this
    stack the audit follows the group to its subnets (NET-02) and to its group's
    ingress (NET-04) as it does on AWS. A defect of the sandbox
    that leaves the stream untagged (``sandbox_defects``) is made good, so that
    the drift baseline is green.
    """
    stack = sandbox_stack_factory(DRIFT_SUFFIX)
    if sandbox_defects(stack):
        tags = {"Environment": stack.suffix, "Project": "iot-sensor-platform", "Owner": "platform-team",
                "DataClassification": "confidential"}
        stack_client(stack, "kinesis").add_tags_to_stream(StreamName=stack.outputs["streamName"], Tags=tags)
    group = stack.outputs["redisReplicationGroupId"]
    stack_client(stack, "elasticache").create_cache_cluster(
        CacheClusterId=f"{group}-001", Engine="redis", CacheNodeType="cache.t4g.small", NumCacheNodes=1,
        CacheSubnetGroupName=f"cachesubnet-redis-{DRIFT_SUFFIX}",
        SecurityGroupIds=[stack.outputs["securityGroupIds"]["redis"]],
    )
    return stack
