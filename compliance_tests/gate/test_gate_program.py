"""The gate on the real program (dev stack): it passes, and every mandatory control catches a mutation.

Every run goes through the real pack process over gRPC; the pack is started
once per session and reused (Configure is sent on every run).
"""

from __future__ import annotations

import json

import pytest

from compliance.catalog import load_catalog
from compliance_tests.gate.harness import finding, mutated, run
from compliance_tests.policies.test_pack_catalog import _args_class
from rules.gov_03 import TAGGABLE

UNDECIDED = "not decided during preview"

# Advisory findings the program is expected to raise at preview, each explained. None today:
# KMS-02 would flag the CloudTrail key that also encrypts the trail's bucket, but the pack counts a
# trail's bucket as part of the trail (one "service"), which is how the program is meant to use it.
EXPECTED_ADVISORY: set[tuple[str, str]] = set()
# The catalog's stated exceptions on the program, each with the reason the decision module gives.
EXPECTED_NOT_APPLICABLE = {
    ("KMS-01", "evidence-signing"): "ECC_NIST_P256 keys cannot rotate automatically",
    # the one mapping that reads a queue, not a stream: the queue's redrive policy keeps its failures
    ("LOG-02", "auditor-events"): "not a stream source",
}


def test_the_program_passes_the_gate(program_graph):
    result = run(program_graph)
    failed = {(f.control, f.resource.name) for f in result.findings if f.status == "fail"}
    assert {(c, n) for c, n in failed if (c, n) not in EXPECTED_ADVISORY} == set()
    assert not [f for f in result.findings if f.status == "error"]
    not_applicable = {(f.control, f.resource.name): f.message for f in result.findings if f.status == "not_applicable"}
    assert set(not_applicable) == set(EXPECTED_NOT_APPLICABLE)
    for key, reason in EXPECTED_NOT_APPLICABLE.items():
        assert reason in not_applicable[key], key
    assert result.exit_code() == 0
    assert {f.control for f in result.findings} == {c.id for c in load_catalog().with_layer("preview")}


def test_the_program_passes_its_first_preview(program_graph):
    result = run(program_graph, first_preview=True)
    assert result.exit_code() == 0
    assert not [f for f in result.findings if f.status in ("fail", "error")]
    assert all(UNDECIDED in f.message or (f.control, f.resource.name) in EXPECTED_NOT_APPLICABLE
               for f in result.findings if f.status == "not_applicable")


def test_every_taggable_type_of_the_program_is_checked_for_tags(program_graph):
    for type_token in {r["type"] for r in program_graph.custom_resources()}:
        try:
            taggable = "tags" in _args_class(type_token).__init__.__code__.co_varnames
        except (AttributeError, ModuleNotFoundError):
            continue
        assert not taggable or type_token in TAGGABLE, f"{type_token} takes tags: add it to TAGGABLE (GOV-03)"


def _doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# (control, type token, logical name of the mutated resource, changes, (type, name) of the resource that must fail)
S, C, R = "aws:kinesis/stream:Stream", "aws:rds/cluster:Cluster", "aws:elasticache/replicationGroup:ReplicationGroup"
MUTATIONS = [
    ("ENC-01", S, "telemetry", {"set_inputs": {"encryptionType": "NONE"}}, None),
    ("ENC-02", C, "aurora", {"set_inputs": {"storageEncrypted": False}}, None),
    ("ENC-03", R, "redis", {"set_inputs": {"transitEncryptionEnabled": False}}, None),
    ("ENC-04", "aws:secretsmanager/secret:Secret", "redis-auth", {"drop": ("kmsKeyId",)}, None),
    ("ENC-05", "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
     "raw-archive", {"set_inputs": {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]}},
     None),
    ("ENC-06", "aws:dynamodb/table:Table", "metrics", {"drop": ("serverSideEncryption",)}, None),
    ("ENC-07", "aws:cloudwatch/logGroup:LogGroup", "processor", {"drop": ("kmsKeyId",)}, None),
    ("ENC-08", "aws:cloudtrail/trail:Trail", "audit", {"drop": ("kmsKeyId",)}, None),
    ("ENC-09", "aws:sqs/queue:Queue", "processor-dlq", {"drop": ("kmsMasterKeyId",)}, None),
    ("ENC-10", "aws:rds/clusterParameterGroup:ClusterParameterGroup", "aurora",
     {"set_inputs": {"parameters": [{"name": "rds.force_ssl", "value": "0"}]}}, (C, "aurora")),
    ("ENC-10", "aws:rds/proxy:Proxy", "metrics", {"set_inputs": {"requireTls": False}}, None),
    ("KMS-01", "aws:kms/key:Key", "kinesis", {"set_inputs": {"enableKeyRotation": False}}, None),
    ("KMS-03", "aws:kms/key:Key", "aurora", {"set_inputs": {"deletionWindowInDays": 45.0}}, None),
    ("RET-01", C, "aurora", {"set_inputs": {"backupRetentionPeriod": 7.0}}, None),
    ("RET-02", "aws:dynamodb/table:Table", "metrics", {"set_inputs": {"pointInTimeRecovery": {"enabled": False}}},
     None),
    ("RET-03", "aws:s3/bucketVersioning:BucketVersioning", "raw-archive",
     {"set_inputs": {"versioningConfiguration": {"status": "Suspended"}}}, None),
    ("RET-04", "aws:cloudwatch/logGroup:LogGroup", "processor", {"drop": ("retentionInDays",)}, None),
    ("RET-05", "aws:cloudwatch/logGroup:LogGroup", "trail", {"set_inputs": {"retentionInDays": 30.0}},
     ("aws:cloudtrail/trail:Trail", "audit")),
    ("NET-01", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "network-aurora-from-proxy",
     {"set_inputs": {"cidrIpv4": "0.0.0.0/0"}, "drop": ("referencedSecurityGroupId",)}, None),
    ("NET-02", "aws:rds/clusterInstance:ClusterInstance", "aurora-writer",
     {"set_inputs": {"publiclyAccessible": True}}, None),
    ("NET-04", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "network-redis-from-processor",
     {"set_inputs": {"cidrIpv4": "10.40.0.0/16"}, "drop": ("referencedSecurityGroupId",)}, (R, "redis")),
    ("IAM-01", "aws:iam/rolePolicy:RolePolicy", "processor-kinesis",
     {"set_inputs": {"policy": _doc({"Effect": "Allow", "Action": "kinesis:*", "Resource": "*"})}}, None),
    ("IAM-02", "aws:iot/policy:Policy", "device",
     {"set_inputs": {"policy": _doc({"Effect": "Allow", "Action": "iot:*", "Resource": "*"})}}, None),
    ("IAM-03", "aws:iot/certificate:Certificate", "plant-1-temperature-01", {"set_inputs": {"active": False}},
     ("aws:iot/thing:Thing", "plant-1-temperature-01")),
    ("IAM-04", C, "aurora", {"set_inputs": {"manageMasterUserPassword": False, "masterPassword": "[secret]"}}, None),
    ("IAM-05", "aws:secretsmanager/secretRotation:SecretRotation", "redis-auth",
     {"set_inputs": {"rotationRules": {"automaticallyAfterDays": 90.0}}}, ("aws:secretsmanager/secret:Secret", "redis-auth")),
    ("IAM-04", "aws:rds/proxy:Proxy", "metrics", {"set_inputs": {"defaultAuthScheme": "NONE"}}, None),
    ("NET-02", "aws:rds/proxy:Proxy", "metrics", {"drop": ("vpcSubnetIds",)}, None),
    ("LOG-01", "aws:cloudtrail/trail:Trail", "audit", {"set_inputs": {"isMultiRegionTrail": False}}, None),
    ("LOG-03", "aws:ec2/flowLog:FlowLog", "network-main", {"set_inputs": {"trafficType": "REJECT"}},
     ("aws:ec2/vpc:Vpc", "network-main")),
    ("GOV-01", S, "telemetry", {"set_inputs": {"name": "telemetry"}}, None),
    ("GOV-02", S, "telemetry", {"set_inputs": {"region": "us-east-1"}}, None),
    ("DES-01", S, "telemetry", {"options": {"protect": True}}, None),
    ("DES-01", "aws:s3/bucket:Bucket", "raw-archive", {"options": {"retainOnDelete": True}}, None),
    ("DES-02", "aws:s3/bucket:Bucket", "raw-archive", {"set_inputs": {"forceDestroy": False}}, None),
    ("LAM-01", "aws:lambda/function:Function", "processor", {"set_inputs": {"runtime": "python3.9"}}, None),
]


def test_every_mandatory_control_has_a_mutation():
    mandatory = {c.id for c in load_catalog().with_layer("preview") if c.enforcement == "mandatory"}
    assert mandatory == {control for control, *_ in MUTATIONS}


@pytest.mark.parametrize(("control", "type_token", "name", "change", "reported_on"), MUTATIONS,
                         ids=[f"{m[0]}-{m[2]}-{'-'.join(m[3].get('options', {})) or 'inputs'}" for m in MUTATIONS])
def test_a_mutation_of_the_program_is_caught(program_graph, control, type_token, name, change, reported_on):
    graph, target = mutated(program_graph, type_token, name, **change)
    if reported_on is not None:
        target = next(r for r in graph.resources if (r["type"], r["name"]) == reported_on)
    result = run(graph)
    caught = finding(result, control, target)
    assert caught.status == "fail"
    assert caught.enforcement == "mandatory"
    assert result.exit_code() == 1
    failed_controls = {f.control for f in result.findings if f.status == "fail"}
    assert control in failed_controls
